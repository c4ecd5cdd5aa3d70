import Foundation
import GRPCCore
import NIOCore
import NIOEmbedded
import SwiftProtobuf
import Testing

@testable import WireProtocol

/// The frame decoder in a `ByteToMessageHandler`, fed through an `EmbeddedChannel`.
@Suite("Frame codec")
struct FrameCodecTests {
  static let limit = 4 * 1024 * 1024

  /// A server-side (preface first) or client-side decoding channel.
  static func makeChannel(expectsPreface: Bool = true, maxFrameSize: Int = limit) throws
    -> EmbeddedChannel
  {
    let channel = EmbeddedChannel()
    try channel.pipeline.syncOperations.addHandler(
      ByteToMessageHandler(FrameDecoder(expectsPreface: expectsPreface, maxFrameSize: maxFrameSize)))
    return channel
  }

  static func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

  static func encode(_ frame: Volunteer_Wire_V1_Frame) throws -> [UInt8] {
    let buffer = try frame.encodedWithLengthPrefix(allocator: ByteBufferAllocator())
    return Array(buffer.readableBytesView)
  }

  static func sampleOpen(callID: UInt32) -> Volunteer_Wire_V1_Frame {
    var open = Volunteer_Wire_V1_Open()
    open.method = "/volunteer.v1.Health/Check"
    var timeout = Volunteer_Wire_V1_MetadataEntry()
    timeout.key = "grpc-timeout"
    timeout.text = "5S"
    var binary = Volunteer_Wire_V1_MetadataEntry()
    binary.key = "trace-bin"
    binary.binary = Data([0, 1, 2, 255])
    open.metadata = [timeout, binary]
    return .call(callID, .open(open))
  }

  static func sampleMessage(callID: UInt32, size: Int) -> Volunteer_Wire_V1_Frame {
    var message = Volunteer_Wire_V1_Message()
    message.data = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(callID)) })
    return .call(callID, .message(message))
  }

  /// Reads everything the decoder produced.
  static func outputs(_ channel: EmbeddedChannel) throws -> [FrameDecoder.Output] {
    var result: [FrameDecoder.Output] = []
    while let output = try channel.readInbound(as: FrameDecoder.Output.self) { result.append(output) }
    return result
  }

  static func frames(_ outputs: [FrameDecoder.Output]) -> [Volunteer_Wire_V1_Frame] {
    outputs.compactMap { if case .frame(let frame) = $0 { frame } else { nil } }
  }

  /// Runs `body` and returns the `WireProtocolError` it throws.
  static func wireError(_ body: () throws -> Void) -> WireProtocolError? {
    do {
      try body()
      return nil
    } catch let error as WireProtocolError {
      return error
    } catch {
      Issue.record("unexpected error \(error)")
      return nil
    }
  }

  @Test("a preface and a frame delivered one byte per read decode once complete")
  func byteByByte() throws {
    let channel = try Self.makeChannel()
    let frame = Self.sampleOpen(callID: 7)
    let bytes = ConnectionPreface.bytes + (try Self.encode(frame))
    var outputs: [FrameDecoder.Output] = []
    for (index, byte) in bytes.enumerated() {
      try channel.writeInbound(Self.buffer([byte]))
      let produced = try Self.outputs(channel)
      switch index {
      case ConnectionPreface.bytes.count - 1:
        #expect(produced.count == 1, "the preface is reported once its 8th byte arrives")
      case bytes.count - 1:
        #expect(produced.count == 1, "the frame is reported once its last byte arrives")
      default:
        #expect(produced.isEmpty, "nothing may be reported at byte \(index)")
      }
      outputs += produced
    }
    guard outputs.count == 2, case .preface = outputs[0], case .frame(let decoded) = outputs[1] else {
      Issue.record("expected a preface then a frame, got \(outputs)")
      return
    }
    #expect(decoded == frame)
    #expect(try channel.finish().isClean)
  }

  @Test("many frames in one read are all decoded, in order")
  func manyFramesInOneRead() throws {
    let channel = try Self.makeChannel()
    var sent: [Volunteer_Wire_V1_Frame] = []
    var bytes = ConnectionPreface.bytes
    for id in UInt32(1)...200 {
      let frame =
        id % 3 == 0
        ? Self.sampleOpen(callID: id) : Self.sampleMessage(callID: id, size: Int(id) * 13 % 700)
      sent.append(frame)
      bytes += try Self.encode(frame)
    }
    var empty = Volunteer_Wire_V1_Frame.call(201, .message(.init()))  // a zero-length message
    empty.message.data = Data()
    sent.append(empty)
    bytes += try Self.encode(empty)
    try channel.writeInbound(Self.buffer(bytes))
    let outputs = try Self.outputs(channel)
    #expect(outputs.count == sent.count + 1)
    #expect(Self.frames(outputs) == sent)
    #expect(try channel.finish().isClean)
  }

  @Test("a client-side decoder reads frames without a preface")
  func clientSideNoPreface() throws {
    let channel = try Self.makeChannel(expectsPreface: false)
    var settings = Volunteer_Wire_V1_Settings()
    settings.maxFrameSize = 1024
    let frame = Volunteer_Wire_V1_Frame.connection(.settings(settings))
    try channel.writeInbound(Self.buffer(try Self.encode(frame)))
    #expect(Self.frames(try Self.outputs(channel)) == [frame])
    #expect(try channel.finish().isClean)
  }

  @Test("an oversize length is rejected as soon as its 4 bytes arrive, before any body")
  func oversizeRejectedOnHeader() throws {
    let channel = try Self.makeChannel()
    try channel.writeInbound(Self.buffer(ConnectionPreface.bytes))
    // Announce 4 GiB - 1 (the largest uint32): the first 3 bytes are not enough to judge.
    try channel.writeInbound(Self.buffer([0xFF, 0xFF, 0xFF]))
    let error = Self.wireError { try channel.writeInbound(Self.buffer([0xFF])) }
    #expect(error?.code == .frameTooLarge)
    #expect(error?.statusCode == .resourceExhausted)
    #expect(error?.message == "frame of 4294967295 bytes exceeds the limit of 4194304 bytes")
    _ = try? channel.finish()
  }

  @Test("a length equal to the limit is accepted, one more byte is not")
  func limitBoundary() throws {
    let limit = 1000
    let accepting = try Self.makeChannel(expectsPreface: false, maxFrameSize: limit)
    try accepting.writeInbound(Self.buffer([0, 0, 0x03, 0xE8]))  // 1000: waits for the body
    #expect(try Self.outputs(accepting).isEmpty)
    _ = try? accepting.finish()

    let refusing = try Self.makeChannel(expectsPreface: false, maxFrameSize: limit)
    let error = Self.wireError { try refusing.writeInbound(Self.buffer([0, 0, 0x03, 0xE9])) }
    #expect(error?.message == "frame of 1001 bytes exceeds the limit of 1000 bytes")
    _ = try? refusing.finish()
  }

  @Test("garbage instead of the preface is rejected on the first wrong byte")
  func garbagePreface() throws {
    // HTTP at once: 'G' is wrong.
    let http = try Self.makeChannel()
    let error = Self.wireError { try http.writeInbound(Self.buffer(Array("G".utf8))) }
    #expect(error?.code == .invalidPreface)
    #expect(error?.statusCode == .internalError)
    #expect(error?.message.contains("\"VOLWIRE\"") == true)
    _ = try? http.finish()

    // A near miss: 6 right bytes are accepted one by one, the 7th is rejected.
    let nearMiss = try Self.makeChannel()
    for byte in Array("VOLWIR".utf8) { try nearMiss.writeInbound(Self.buffer([byte])) }
    #expect(try Self.outputs(nearMiss).isEmpty)
    let late = Self.wireError { try nearMiss.writeInbound(Self.buffer(Array("X".utf8))) }
    #expect(late?.code == .invalidPreface)
    _ = try? nearMiss.finish()
  }

  @Test("a preface with another version byte is rejected as unsupported")
  func wrongVersion() throws {
    let channel = try Self.makeChannel()
    let error = Self.wireError {
      try channel.writeInbound(Self.buffer(ConnectionPreface.magic + [2]))
    }
    #expect(error?.code == .unsupportedVersion)
    #expect(error?.statusCode == .unimplemented)
    #expect(error?.message == "protocol version 2 is not supported; this server speaks version 1")
    _ = try? channel.finish()
  }

  @Test("EOF in the middle of a frame is reported as a truncated frame")
  func truncatedStream() throws {
    let channel = try Self.makeChannel()
    let frame = try Self.encode(Self.sampleOpen(callID: 1))
    try channel.writeInbound(Self.buffer(ConnectionPreface.bytes + frame.dropLast(3)))
    #expect(try Self.outputs(channel).count == 1)  // only the preface
    let error = Self.wireError { _ = try channel.finish() }
    #expect(error?.code == .truncatedFrame)
    #expect(error?.message.contains("\(frame.count - 3) bytes left over") == true)
  }

  @Test("EOF inside the length prefix or the preface is a truncated frame too")
  func truncatedPrefix() throws {
    let inPrefix = try Self.makeChannel()
    try inPrefix.writeInbound(Self.buffer(ConnectionPreface.bytes + [0, 0]))
    #expect(Self.wireError { _ = try inPrefix.finish() }?.code == .truncatedFrame)

    let inPreface = try Self.makeChannel()
    try inPreface.writeInbound(Self.buffer(Array("VOL".utf8)))
    #expect(Self.wireError { _ = try inPreface.finish() }?.code == .truncatedFrame)
  }

  @Test("a clean EOF between frames is no error")
  func cleanEOF() throws {
    let channel = try Self.makeChannel()
    try channel.writeInbound(
      Self.buffer(ConnectionPreface.bytes + (try Self.encode(Self.sampleOpen(callID: 1)))))
    #expect(try Self.outputs(channel).count == 2)
    #expect(try channel.finish().isClean)
  }

  @Test(
    "a frame with no kind is malformed",
    arguments: [
      [0x08, 0x01],  // call_id 1 only
      [],  // empty body
      [0x08, 0x01, 0x62, 0x00],  // call_id 1 and field 12: a kind this version does not know
    ] as [[UInt8]])
  func noKind(body: [UInt8]) throws {
    let channel = try Self.makeChannel(expectsPreface: false)
    let error = Self.wireError {
      try channel.writeInbound(Self.buffer([0, 0, 0, UInt8(body.count)] + body))
    }
    #expect(error?.code == .malformedFrame)
    #expect(error?.statusCode == .internalError)
    #expect(error?.message == "malformed frame: no frame kind set")
    _ = try? channel.finish()
  }

  @Test(
    "bytes that are not a protobuf Frame are malformed",
    arguments: [
      [0xFF, 0xFF, 0xFF, 0xFF],  // a varint that never ends
      [0x22, 0x10, 0x0A],  // a message field announcing 16 bytes, holding 1
      [0x0F],  // wire type 7 does not exist
    ] as [[UInt8]])
  func invalidProtobuf(body: [UInt8]) throws {
    let channel = try Self.makeChannel(expectsPreface: false)
    let error = Self.wireError {
      try channel.writeInbound(Self.buffer([0, 0, 0, UInt8(body.count)] + body))
    }
    #expect(error?.code == .malformedFrame)
    #expect(error?.message.hasPrefix("malformed frame: ") == true)
    _ = try? channel.finish()
  }

  @Test("unknown fields inside a frame are ignored")
  func unknownFieldsIgnored() throws {
    let channel = try Self.makeChannel(expectsPreface: false)
    // HalfClose on call 1, then field 15 (varint) = 1.
    let body: [UInt8] = [0x08, 0x01, 0x2A, 0x00, 0x78, 0x01]
    try channel.writeInbound(Self.buffer([0, 0, 0, UInt8(body.count)] + body))
    let frames = Self.frames(try Self.outputs(channel))
    #expect(frames.count == 1)
    #expect(frames.first?.callID == 1)
    if case .halfClose = frames.first?.kind {} else { Issue.record("expected half_close") }
    _ = try? channel.finish()
  }

  // MARK: Encoding (the byte-level examples of docs/PROTOCOL.md §5.3 and §13)

  @Test("encoding matches the byte-level examples of PROTOCOL.md")
  func documentedBytes() throws {
    var open = Volunteer_Wire_V1_Open()
    open.method = "/volunteer.v1.Health/Check"
    var timeout = Volunteer_Wire_V1_MetadataEntry()
    timeout.key = "grpc-timeout"
    timeout.text = "5S"
    open.metadata = [timeout]
    let openBytes = try Self.encode(.call(1, .open(open)))
    #expect(
      openBytes
        == [0, 0, 0, 0x34, 0x08, 0x01, 0x1A, 0x30, 0x0A, 0x1A] + Array("/volunteer.v1.Health/Check".utf8)
        + [0x12, 0x12, 0x0A, 0x0C] + Array("grpc-timeout".utf8) + [0x12, 0x02, 0x35, 0x53])

    #expect(try Self.encode(.call(1, .message(.init()))) == [0, 0, 0, 4, 0x08, 0x01, 0x22, 0x00])
    #expect(try Self.encode(.call(1, .halfClose(.init()))) == [0, 0, 0, 4, 0x08, 0x01, 0x2A, 0x00])
    #expect(try Self.encode(.call(1, .headers(.init()))) == [0, 0, 0, 4, 0x08, 0x01, 0x32, 0x00])
    #expect(try Self.encode(.call(1, .status(.init()))) == [0, 0, 0, 4, 0x08, 0x01, 0x3A, 0x00])
    #expect(try Self.encode(.call(2, .cancel(.init()))) == [0, 0, 0, 4, 0x08, 0x02, 0x42, 0x00])
    var response = Volunteer_Wire_V1_Message()
    response.data = Data([0x08, 0x01])
    #expect(
      try Self.encode(.call(1, .message(response)))
        == [0, 0, 0, 8, 0x08, 0x01, 0x22, 0x04, 0x0A, 0x02, 0x08, 0x01])

    var ping = Volunteer_Wire_V1_Ping()
    ping.opaque = 7
    #expect(try Self.encode(.connection(.ping(ping))) == [0, 0, 0, 4, 0x4A, 0x02, 0x08, 0x07])

    var goAway = Volunteer_Wire_V1_GoAway()
    goAway.code = 13
    goAway.reason = "bad preface"
    #expect(
      try Self.encode(.connection(.goaway(goAway)))
        == [0, 0, 0, 0x11, 0x5A, 0x0F, 0x10, 0x0D, 0x1A, 0x0B] + Array("bad preface".utf8))

    var settings = Volunteer_Wire_V1_Settings()
    settings.protocolVersion = 1
    settings.serverVersion = "vrs/0.1"
    settings.maxFrameSize = 4_194_304
    settings.maxConcurrentCalls = 256
    settings.maxMetadataSize = 8192
    settings.keepaliveIntervalMs = 60000
    settings.idleTimeoutMs = 300_000
    #expect(
      try Self.encode(.connection(.settings(settings)))
        == [0, 0, 0, 0x20, 0x12, 0x1E, 0x08, 0x01, 0x12, 0x07] + Array("vrs/0.1".utf8)
        + [0x18, 0x80, 0x80, 0x80, 0x02, 0x20, 0x80, 0x02, 0x28, 0x80, 0x40]
        + [0x30, 0xE0, 0xD4, 0x03, 0x38, 0xE0, 0xA7, 0x12])
  }

  @Test("a message of max_frame_size - 16 bytes always fits; the encoder refuses larger frames")
  func encoderLimit() throws {
    let limit = Self.limit
    let fits = Self.sampleMessage(callID: UInt32.max, size: limit - 16)
    let encoded = try fits.encodedWithLengthPrefix(allocator: .init(), maxFrameSize: limit)
    #expect(encoded.readableBytes == 4 + limit)

    let tooLarge = Self.sampleMessage(callID: 1, size: limit - 11)
    #expect(throws: FrameTooLargeError(size: limit + 1, limit: limit)) {
      try tooLarge.encodedWithLengthPrefix(allocator: .init(), maxFrameSize: limit)
    }
  }

  @Test("an Open too large for legal metadata is reported undecoded with its call id; others decode")
  func oversizedOpen() throws {
    let maxOpen = FrameDecoder.maxOpenSize(maxMetadataSize: 8192)
    #expect(maxOpen == 8 * 8192 + 4096)
    let channel = EmbeddedChannel()
    try channel.pipeline.syncOperations.addHandler(
      ByteToMessageHandler(FrameDecoder(expectsPreface: false, maxFrameSize: Self.limit, maxOpenSize: maxOpen)))
    var big = Volunteer_Wire_V1_Open()
    big.method = "/volunteer.v1.Health/Check"
    big.metadata = (0..<100).map { index in
      var entry = Volunteer_Wire_V1_MetadataEntry()
      entry.key = "x-\(index)"
      entry.text = String(repeating: "b", count: 1000)
      return entry
    }
    // The call id written after the Open still counts: fields may come in any order.
    let inOrder = try Self.encode(.call(9, .open(big)))
    let callIDField: [UInt8] = [0x08, 9]
    #expect(Array(inOrder[4..<6]) == callIDField)
    let reordered = Self.lengthPrefixed(Array(inOrder[6...]) + callIDField)
    try channel.writeInbound(Self.buffer(try Self.encode(.call(7, .open(big)))))
    try channel.writeInbound(Self.buffer(reordered))
    try channel.writeInbound(Self.buffer(try Self.encode(Self.sampleOpen(callID: 11))))
    // A message frame of the same size is no Open: decoded as usual.
    try channel.writeInbound(Self.buffer(try Self.encode(Self.sampleMessage(callID: 11, size: maxOpen + 10))))
    let outputs = try Self.outputs(channel)
    #expect(outputs.count == 4)
    guard outputs.count == 4 else { return }
    guard case .oversizedOpen(7, let size) = outputs[0], case .oversizedOpen(9, _) = outputs[1] else {
      Issue.record("expected two oversized opens, got \(outputs[0]) and \(outputs[1])")
      return
    }
    #expect(size > maxOpen)
    #expect(Self.frames(outputs).map(\.callID) == [11, 11])

    // No way around the check: an unknown field after the Open (field 12, empty), or the
    // metadata split over two Open fields each under the limit (protobuf merges them).
    let padded = Self.lengthPrefixed(Array(try Self.encode(.call(13, .open(big)))[4...]) + [0x62, 0x00])
    var half = big
    half.metadata = Array(big.metadata.prefix(50))
    let halfField = Array(try Self.encode(.call(15, .open(half)))[6...])
    #expect(halfField.count < maxOpen)
    let split = Self.lengthPrefixed([0x08, 15] + halfField + halfField)
    try channel.writeInbound(Self.buffer(padded))
    try channel.writeInbound(Self.buffer(split))
    let tricks = try Self.outputs(channel)
    guard tricks.count == 2, case .oversizedOpen(13, _) = tricks[0], case .oversizedOpen(15, _) = tricks[1] else {
      Issue.record("expected both tricks reported oversized, got \(tricks)")
      return
    }
  }

  static func lengthPrefixed(_ body: [UInt8]) -> [UInt8] {
    withUnsafeBytes(of: UInt32(body.count).bigEndian, Array.init) + body
  }
}
