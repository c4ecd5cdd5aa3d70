import NIOCore
import SwiftProtobuf

extension Volunteer_Wire_V1_Frame {
  /// The frame's wire form: its length prefix followed by its protobuf encoding.
  func encodedWithLengthPrefix(allocator: ByteBufferAllocator) throws -> ByteBuffer {
    let body: [UInt8] = try self.serializedBytes()
    var buffer = allocator.buffer(capacity: FrameDecoder.lengthPrefixSize + body.count)
    buffer.writeInteger(UInt32(body.count))
    buffer.writeBytes(body)
    return buffer
  }

  /// Builds a frame addressed to `callID`.
  static func call(_ callID: UInt32, _ kind: OneOf_Kind) -> Self {
    var frame = Self()
    frame.callID = callID
    frame.kind = kind
    return frame
  }

  /// Builds a connection-level frame (call id 0).
  static func connection(_ kind: OneOf_Kind) -> Self {
    .call(0, kind)
  }
}
