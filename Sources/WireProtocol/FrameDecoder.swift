import NIOCore
import SwiftProtobuf

/// Splits a byte stream into `Frame`s: an optional connection preface, then frames of a
/// 4-byte big-endian length followed by that many bytes of an encoded `Frame`.
///
/// Every length is checked against the limit as soon as its 4 bytes arrive, before any
/// of the frame is buffered, so a peer announcing a 4 GiB frame costs 4 bytes of memory.
/// The preface is compared byte by byte as it arrives for the same reason.
struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
  /// What the decoder produces: the preface once (server side), then frames.
  enum Output {
    case preface
    case frame(Volunteer_Wire_V1_Frame)
  }
  typealias InboundOut = Output

  /// Length of the prefix in front of every frame.
  static let lengthPrefixSize = 4

  private var awaitingPreface: Bool
  private let maxFrameSize: Int

  /// - Parameters:
  ///   - expectsPreface: `true` on the server, which reads the client's preface first.
  ///   - maxFrameSize: the largest frame length accepted.
  init(expectsPreface: Bool, maxFrameSize: Int) {
    self.awaitingPreface = expectsPreface
    self.maxFrameSize = maxFrameSize
  }

  mutating func decode(buffer: inout ByteBuffer) throws -> InboundOut? {
    if self.awaitingPreface {
      guard try Self.readPreface(from: &buffer) else { return nil }
      self.awaitingPreface = false
      return .preface
    }
    guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
      return nil
    }
    guard length <= self.maxFrameSize else {
      throw WireProtocolError(
        code: .frameTooLarge,
        message: "frame of \(length) bytes exceeds the limit of \(self.maxFrameSize) bytes"
      )
    }
    guard buffer.readableBytes >= Self.lengthPrefixSize + Int(length) else { return nil }
    buffer.moveReaderIndex(forwardBy: Self.lengthPrefixSize)
    guard let frameBytes = buffer.readSlice(length: Int(length)) else { return nil }
    return .frame(try Self.parseFrame(frameBytes))
  }

  mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> InboundOut? {
    if let frame = try self.decode(buffer: &buffer) { return frame }
    if buffer.readableBytes > 0 {
      let bytes = buffer.readableBytes
      buffer.clear()
      throw WireProtocolError(
        code: .truncatedFrame,
        message: "connection closed in the middle of a frame (\(bytes) bytes left over)"
      )
    }
    return nil
  }

  /// Consumes the preface once all of it has arrived; fails on the first wrong byte.
  private static func readPreface(from buffer: inout ByteBuffer) throws -> Bool {
    let magic = ConnectionPreface.magic
    let available = buffer.readableBytesView.prefix(magic.count)
    guard available.elementsEqual(magic.prefix(available.count)) else {
      throw WireProtocolError(
        code: .invalidPreface,
        message: "expected the connection preface \"VOLWIRE\" followed by version byte "
          + "\(ConnectionPreface.protocolVersion); is this a Volunteer Records client?"
      )
    }
    guard buffer.readableBytes >= ConnectionPreface.bytes.count else { return false }
    buffer.moveReaderIndex(forwardBy: magic.count)
    let version = buffer.readInteger(as: UInt8.self) ?? 0
    guard version == ConnectionPreface.protocolVersion else {
      throw WireProtocolError(
        code: .unsupportedVersion,
        message: "protocol version \(version) is not supported; this server speaks version "
          + "\(ConnectionPreface.protocolVersion)"
      )
    }
    return true
  }

  private static func parseFrame(_ bytes: ByteBuffer) throws -> Volunteer_Wire_V1_Frame {
    let frame: Volunteer_Wire_V1_Frame
    do {
      frame = try bytes.withUnsafeReadableBytes { try Volunteer_Wire_V1_Frame(serializedBytes: Array($0)) }
    } catch {
      throw WireProtocolError(code: .malformedFrame, message: "malformed frame: \(error)")
    }
    guard frame.kind != nil else {
      throw WireProtocolError(code: .malformedFrame, message: "malformed frame: no frame kind set")
    }
    return frame
  }
}
