import NIOCore
import SwiftProtobuf
import WireProtocol

/// Wire-protocol bytes written by hand, for the clients that bypass `WireClientTransport`:
/// the echo ceiling and the idle-connection holder.
enum RawFrames {
  /// `frame` with its 4-byte big-endian length prefix, as the wire protocol sends it.
  static func encode(_ frame: Volunteer_Wire_V1_Frame, into buffer: inout ByteBuffer) throws {
    let body: [UInt8] = try frame.serializedBytes()
    buffer.writeInteger(UInt32(body.count))
    buffer.writeBytes(body)
  }

  /// What a client sends first: the 8-byte preface (a client sends no Settings, PROTOCOL §6).
  static func preface(allocator: ByteBufferAllocator) -> ByteBuffer {
    allocator.buffer(bytes: ConnectionPreface.bytes)
  }

  /// The three frames `WireClientTransport` writes for a Health.Check on call `callID`: Open
  /// (method, `grpc-timeout`), Message (the empty request), HalfClose.
  static func healthCheck(callID: UInt32, allocator: ByteBufferAllocator) throws -> ByteBuffer {
    var buffer = allocator.buffer(capacity: 96)
    var open = Volunteer_Wire_V1_Open()
    open.method = "/volunteer.v1.Health/Check"
    var timeout = Volunteer_Wire_V1_MetadataEntry()
    timeout.key = "grpc-timeout"
    timeout.text = "10000000u"
    open.metadata = [timeout]
    var frame = Volunteer_Wire_V1_Frame()
    frame.callID = callID
    frame.kind = .open(open)
    try encode(frame, into: &buffer)
    var message = Volunteer_Wire_V1_Message()
    message.data = try Volunteer_V1_HealthCheckRequest().serializedData()
    frame.kind = .message(message)
    try encode(frame, into: &buffer)
    frame.kind = .halfClose(Volunteer_Wire_V1_HalfClose())
    try encode(frame, into: &buffer)
    return buffer
  }
}
