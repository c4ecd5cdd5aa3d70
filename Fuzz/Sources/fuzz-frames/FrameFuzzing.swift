import NIOCore
import SwiftProtobuf

@testable import WireProtocol

/// Feeds arbitrary byte streams to `FrameDecoder` in arbitrary chunkings, as NIO's
/// `ByteToMessageHandler` would (decode until it asks for more, then `decodeLast` at the end of
/// the stream), and checks:
///
/// - it yields frames (each with a kind set) or stops at one clean `WireProtocolError`
///   (`invalidPreface`, `unsupportedVersion`, `frameTooLarge`, `malformedFrame`,
///   `truncatedFrame`); any other error, a trap or a crash is a finding;
/// - it never waits for a frame longer than the maximum frame size: whenever it asks for more
///   bytes, the pending length prefix is within the limit, so the handler never buffers more
///   than 4 + max_frame_size bytes for one frame;
/// - the chunking makes no difference: one read of the whole stream gives the same frames and
///   the same error;
/// - every decoded frame re-encodes (`encodedWithLengthPrefix`, the encoder the transports use)
///   to a frame that decodes to the same value, and the re-encoding is a fixed point (byte
///   identical when encoded again); a body that was already canonical re-encodes to exactly the
///   bytes that were read.
///
/// - an Open reported undecoded as too large (`oversizedOpen`) is over the Open limit, and where
///   the full decoder reads the same body it finds an Open of the same call id.
///
/// Input layout: byte 0 = flags (bit 0: expect a preface first, as the server does; bit 1: use
/// a small limit from bytes 1-2 instead of the configured 4 MiB, to reach the exact boundary
/// with short inputs; bit 2: an Open limit of byte 2's value instead of none); byte 3 = n, the number of chunk-size bytes that follow (n % 16), each a
/// read size of 1-256 bytes, used in turn; the rest is the stream.
enum FrameFuzzing {
  /// The server's configured default (`WireServerTransport.Configuration.maxFrameSize`,
  /// `ServiceConfiguration.Limits.maxFrameSize`): 4 MiB.
  static let configuredMaxFrameSize = WireServerTransport.Configuration(
    host: "127.0.0.1", port: 0,
    tls: WireTLSFiles(certificateChainPath: "", privateKeyPath: "", trustRootsPath: "")
  ).maxFrameSize

  struct Setup {
    var expectsPreface: Bool
    var maxFrameSize: Int
    var maxOpenSize: Int
    var chunkSizes: [Int]
    var stream: [UInt8]
  }

  /// What one decoding of a stream produced.
  struct Result: Equatable {
    var sawPreface = false
    var frames: [Volunteer_Wire_V1_Frame] = []
    var oversizedOpens: [UInt32] = []
    var error: WireProtocolError.Code?
  }

  static func parse(_ input: [UInt8]) -> Setup {
    var rest = input[...]
    let flags = rest.popFirst() ?? 0
    let limitHigh = Int(rest.popFirst() ?? 0)
    let limitLow = Int(rest.popFirst() ?? 0)
    let count = Int(rest.popFirst() ?? 0) % 16
    var chunkSizes: [Int] = []
    for _ in 0..<count {
      guard let size = rest.popFirst() else { break }
      chunkSizes.append(Int(size) + 1)
    }
    if chunkSizes.isEmpty { chunkSizes = [Int.max] }
    return Setup(
      expectsPreface: flags & 1 != 0,
      // Small limits: 0-4095 bytes, so frames at, just over and far over the limit all fit
      // in a short input.
      maxFrameSize: flags & 2 != 0 ? (limitHigh << 8 | limitLow) % 4096 : Self.configuredMaxFrameSize,
      maxOpenSize: flags & 4 != 0 ? limitLow : .max,
      chunkSizes: chunkSizes,
      stream: Array(rest))
  }

  static func run(_ input: [UInt8]) {
    let setup = Self.parse(input)
    let chunked = Self.decode(setup, input: input)
    var whole = setup
    whole.chunkSizes = [Int.max]
    let oneRead = Self.decode(whole, input: input)
    check(
      chunked == oneRead,
      "chunking \(setup.chunkSizes) changed the outcome: \(Self.summary(chunked)) vs one read "
        + "\(Self.summary(oneRead))", input)
  }

  /// Decodes `setup.stream` delivered in reads of `setup.chunkSizes` (cycled), checking every
  /// step.
  static func decode(_ setup: Setup, input: [UInt8]) -> Result {
    var decoder = FrameDecoder(
      expectsPreface: setup.expectsPreface, maxFrameSize: setup.maxFrameSize, maxOpenSize: setup.maxOpenSize)
    var buffer = ByteBufferAllocator().buffer(capacity: 0)
    var result = Result()
    var offset = 0
    var chunk = 0
    var awaitingPreface = setup.expectsPreface

    /// One decoder call; returns false once the stream has ended (error or nothing more).
    func step(last: Bool) -> Bool {
      let before = buffer.readerIndex
      // What the decoder may consume (get* accessors do not reach below the reader index).
      let pending = buffer.readableBytesView
      do {
        let output =
          last ? try decoder.decodeLast(buffer: &buffer, seenEOF: true) : try decoder.decode(buffer: &buffer)
        guard let output else {
          Self.checkWaiting(buffer, awaitingPreface: awaitingPreface, setup: setup, input: input)
          return false
        }
        switch output {
        case .preface:
          check(awaitingPreface, "a second preface", input)
          check(buffer.readerIndex - before == ConnectionPreface.bytes.count, "preface consumed \(buffer.readerIndex - before) bytes", input)
          awaitingPreface = false
          result.sawPreface = true
        case .frame(let frame):
          check(!awaitingPreface, "a frame before the preface", input)
          let consumed = buffer.readerIndex - before
          let body = Array(pending.dropFirst(FrameDecoder.lengthPrefixSize).prefix(consumed - FrameDecoder.lengthPrefixSize))
          Self.checkFrame(frame, body: body, consumed: consumed, setup: setup, input: input)
          result.frames.append(frame)
        case .oversizedOpen(let callID, let openSize):
          check(!awaitingPreface, "an oversized open before the preface", input)
          check(openSize > setup.maxOpenSize, "open of \(openSize) bytes reported over the limit of \(setup.maxOpenSize)", input)
          let consumed = buffer.readerIndex - before
          let body = Array(pending.dropFirst(FrameDecoder.lengthPrefixSize).prefix(consumed - FrameDecoder.lengthPrefixSize))
          check(body.count > openSize, "an open of \(openSize) bytes in a \(body.count)-byte frame", input)
          if let frame = try? Volunteer_Wire_V1_Frame(serializedBytes: body) {
            guard case .open? = frame.kind, frame.callID == callID else {
              fail("oversized open for call \(callID), but the frame decodes to \(frame)", input)
            }
          }
          result.oversizedOpens.append(callID)
        }
        return true
      } catch let error as WireProtocolError {
        let expected: [WireProtocolError.Code] =
          awaitingPreface
          ? [.invalidPreface, .unsupportedVersion, .truncatedFrame]
          : [.frameTooLarge, .malformedFrame, .truncatedFrame]
        check(expected.contains(error.code), "unexpected error \(error)", input)
        check(last || error.code != .truncatedFrame, "truncatedFrame before the end of the stream", input)
        result.error = error.code
        return false
      } catch {
        fail("an error that is not a WireProtocolError: \(error)", input)
      }
    }

    while offset < setup.stream.count {
      let size = min(setup.chunkSizes[chunk % setup.chunkSizes.count], setup.stream.count - offset)
      chunk += 1
      buffer.writeBytes(setup.stream[offset..<(offset + size)])
      offset += size
      while step(last: false) {}
      if result.error != nil { return result }
      // ByteToMessageHandler discards consumed bytes now and then; it changes nothing.
      if chunk % 3 == 0 { buffer.discardReadBytes() }
    }
    while step(last: true) {}
    if result.error == nil {
      check(buffer.readableBytes == 0, "\(buffer.readableBytes) bytes left after the end of the stream", input)
    }
    return result
  }

  /// The decoder asked for more bytes: it must be inside the preface, or inside a frame whose
  /// length is within the limit.
  static func checkWaiting(_ buffer: ByteBuffer, awaitingPreface: Bool, setup: Setup, input: [UInt8]) {
    if awaitingPreface {
      check(buffer.readableBytes < ConnectionPreface.bytes.count, "holds \(buffer.readableBytes) bytes awaiting the preface", input)
      return
    }
    guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return }
    check(
      Int(length) <= setup.maxFrameSize,
      "waits for a frame of \(length) bytes, over the limit of \(setup.maxFrameSize)", input)
    check(
      buffer.readableBytes < FrameDecoder.lengthPrefixSize + Int(length),
      "waits with a whole frame of \(length) bytes buffered", input)
  }

  static func checkFrame(
    _ frame: Volunteer_Wire_V1_Frame, body: [UInt8], consumed: Int, setup: Setup, input: [UInt8]
  ) {
    check(frame.kind != nil, "a frame without a kind", input)
    // The converse of the oversized-Open check: a decoded Open is never over the Open limit
    // (however its fields were split, padded or ordered).
    if case .open(let open) = frame.kind, let size = (try? open.serializedBytes() as [UInt8])?.count {
      check(size <= setup.maxOpenSize, "an Open of \(size) bytes over the limit of \(setup.maxOpenSize) was decoded", input)
    }
    check(body.count <= setup.maxFrameSize, "a frame of \(body.count) bytes over the limit", input)
    check(consumed == FrameDecoder.lengthPrefixSize + body.count, "consumed \(consumed) bytes for a \(body.count)-byte frame", input)
    // Round trip through the transports' encoder.
    let encoded: ByteBuffer
    do {
      encoded = try frame.encodedWithLengthPrefix(allocator: ByteBufferAllocator())
    } catch {
      fail("a decoded frame does not re-encode: \(error)", input)
    }
    let bytes = Array(encoded.readableBytesView)
    check(bytes.count >= FrameDecoder.lengthPrefixSize, "encoding without a length prefix", input)
    let length = Int(UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]))
    let reBody = Array(bytes[FrameDecoder.lengthPrefixSize...])
    check(length == reBody.count, "length prefix \(length) for a \(reBody.count)-byte body", input)
    var redecoder = FrameDecoder(expectsPreface: false, maxFrameSize: Int(UInt32.max))
    var rebuffer = encoded
    do {
      guard case .frame(let again)? = try redecoder.decode(buffer: &rebuffer) else {
        fail("the re-encoded frame does not decode as one frame", input)
      }
      check(again == frame, "round trip changed the frame: \(frame) became \(again)", input)
      check(rebuffer.readableBytes == 0, "the re-encoded frame left \(rebuffer.readableBytes) bytes", input)
      let twice = Array(try again.encodedWithLengthPrefix(allocator: ByteBufferAllocator()).readableBytesView)
      check(twice == bytes, "re-encoding is not a fixed point", input)
    } catch {
      fail("the re-encoded frame does not decode: \(error)", input)
    }
    // (A body that was already canonical, as our encoders write it, thus comes back byte for
    // byte; protobuf allows other encodings of the same frame, which come back canonical.)
  }

  static func summary(_ result: Result) -> String {
    "preface \(result.sawPreface), \(result.frames.count) frames, error \(result.error.map { "\($0)" } ?? "none")"
  }
}

/// Stops the run with a message libFuzzer reports as a crash, naming the input.
func fail(_ message: String, _ input: [UInt8]) -> Never {
  let hex = input.prefix(64).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
  fatalError("fuzz-frames: \(message) (input \(input.count) bytes: \(hex)\(input.count > 64 ? "…" : ""))")
}

func check(_ condition: Bool, _ message: @autoclosure () -> String, _ input: [UInt8]) {
  if !condition { fail(message(), input) }
}

extension String {
  func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: max(0, width - self.count)) + self
  }
}
