import NIOCore
import SwiftProtobuf

/// A frame that would not fit within the receiver's maximum frame size.
struct FrameTooLargeError: Error, Hashable {
  /// The encoded frame's length (the value its length prefix would carry).
  var size: Int
  /// The largest length the receiver accepts.
  var limit: Int
}

extension Volunteer_Wire_V1_Frame {
  /// The frame's wire form: its length prefix followed by its protobuf encoding.
  ///
  /// - Parameter maxFrameSize: the largest encoded frame the receiver accepts.
  /// - Throws: ``FrameTooLargeError`` when the encoded frame is longer than `maxFrameSize`;
  ///   nothing is written then.
  func encodedWithLengthPrefix(
    allocator: ByteBufferAllocator, maxFrameSize: Int = Int(UInt32.max)
  ) throws -> ByteBuffer {
    let body: [UInt8] = try self.serializedBytes()
    guard body.count <= min(maxFrameSize, Int(UInt32.max)) else {
      throw FrameTooLargeError(size: body.count, limit: maxFrameSize)
    }
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

  /// `true` for the kinds that address a call (non-zero call id), `false` for the kinds that
  /// address the connection (call id 0).
  static func isCallKind(_ kind: OneOf_Kind) -> Bool {
    switch kind {
    case .open, .message, .halfClose, .headers, .status, .cancel: true
    case .settings, .ping, .pong, .goaway: false
    }
  }
}
