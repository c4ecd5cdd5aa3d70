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
    /// An Open frame too large to carry metadata within the limit, left undecoded: decoding
    /// megabytes of metadata only to refuse it would stall the event loop.
    case oversizedOpen(callID: UInt32, openSize: Int)
  }
  typealias InboundOut = Output

  /// Length of the prefix in front of every frame.
  static let lengthPrefixSize = 4

  private var awaitingPreface: Bool
  private let maxFrameSize: Int
  private let maxOpenSize: Int

  /// - Parameters:
  ///   - expectsPreface: `true` on the server, which reads the client's preface first.
  ///   - maxFrameSize: the largest frame length accepted.
  ///   - maxOpenSize: Open messages longer than this are reported as
  ///     ``Output/oversizedOpen(callID:openSize:)`` without being decoded.
  init(expectsPreface: Bool, maxFrameSize: Int, maxOpenSize: Int = .max) {
    self.awaitingPreface = expectsPreface
    self.maxFrameSize = maxFrameSize
    self.maxOpenSize = maxOpenSize
  }

  /// The largest encoded Open message whose metadata can still be within `maxMetadataSize`
  /// bytes (keys plus values): an entry counted as 1 byte (a one-letter key with an empty
  /// value) encodes to at most 7, 8 leaves room, and the method path gets
  /// `methodPathAllowance` bytes.
  static func maxOpenSize(maxMetadataSize: Int) -> Int {
    let (product, overflow) = maxMetadataSize.multipliedReportingOverflow(by: 8)
    return overflow ? .max : product.addingReportingOverflow(Self.methodPathAllowance).partialValue
  }

  /// Room for the method path and the Open message's own field headers.
  static let methodPathAllowance = 4096

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
    if Int(length) > self.maxOpenSize {
      // Only Message frames are legitimately this large: anything the scan cannot read
      // plainly is refused here rather than handed to the full decoder, which would decode
      // an Open hidden behind it (after a group field, say) at full cost.
      guard let scan = Self.openField(of: frameBytes) else {
        throw WireProtocolError(
          code: .malformedFrame,
          message: "malformed frame: a frame of \(length) bytes must be plain protobuf fields "
            + "(no groups, no truncated field)")
      }
      if let openLength = scan.openLength, openLength > self.maxOpenSize {
        return .oversizedOpen(callID: scan.callID, openSize: openLength)
      }
    }
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

  /// Walks the frame's top-level fields without decoding them: the call id and, when the
  /// frame is an Open, the length of its Open fields together. `nil` when the frame is not
  /// plain fields (a truncated field, a group, a call id or Open of the wrong wire type).
  static func openField(of bytes: ByteBuffer) -> (callID: UInt32, openLength: Int?)? {
    var buffer = bytes
    var callID: UInt32 = 0
    var openLength: Int?
    while buffer.readableBytes > 0 {
      guard let tag = Self.readVarint(&buffer) else { return nil }
      let field = tag >> 3
      let wireType = tag & 7
      // The call id must be a varint and the Open a length-delimited field.
      guard (field != 1 || wireType == 0), (field != 3 || wireType == 2) else { return nil }
      switch wireType {
      case 0:
        guard let value = Self.readVarint(&buffer) else { return nil }
        if field == 1 { callID = UInt32(truncatingIfNeeded: value) }
      case 1:
        guard buffer.readSlice(length: 8) != nil else { return nil }
      case 2:
        guard let length = Self.readVarint(&buffer), length <= UInt64(buffer.readableBytes),
          buffer.readSlice(length: Int(length)) != nil
        else { return nil }
        // Repeated Open fields merge into one Open, so their lengths add up; another kind
        // replaces it (the oneof keeps the last); unknown fields change neither.
        if field == 3 {
          openLength = (openLength ?? 0) + Int(length)
        } else if (2...11).contains(field) {
          openLength = nil
        }
      case 5:
        guard buffer.readSlice(length: 4) != nil else { return nil }
      default:
        return nil
      }
    }
    return (callID, openLength)
  }

  private static func readVarint(_ buffer: inout ByteBuffer) -> UInt64? {
    var value: UInt64 = 0
    for shift in stride(from: 0, to: 64, by: 7) {
      guard let byte = buffer.readInteger(as: UInt8.self) else { return nil }
      value |= UInt64(byte & 0x7F) << UInt64(shift)
      if byte & 0x80 == 0 { return value }
    }
    return nil
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
