import NIOCore

@testable import WireProtocol

/// Feeds arbitrary bytes to the server's `FrameDecoder` while it awaits the connection
/// preface, one byte at a time as a slow peer would send them, and checks docs/PROTOCOL.md §4
/// exactly:
///
/// - the first byte that differs from `VOLWIRE` is rejected as soon as it arrives
///   (`invalidPreface`), without waiting for the rest;
/// - with the magic right, a version byte other than 1 is rejected as soon as it arrives
///   (`unsupportedVersion`);
/// - a valid preface is reported once, when its 8th byte arrives, and consumes exactly 8 bytes;
/// - before a decision the decoder holds at most 7 bytes and consumes none; a connection that
///   ends there is a `truncatedFrame`, an empty one ends cleanly;
/// - the same bytes delivered in one read give the same outcome.
///
/// Any other behaviour, an error of another type or code, or a crash, is a finding.
enum PrefaceFuzzing {
  static let maxFrameSize = 4 * 1024 * 1024

  enum Outcome: Equatable {
    case preface(consumed: Int)
    case rejected(WireProtocolError.Code, atByte: Int)
    case pending
  }

  static func run(_ input: [UInt8]) {
    let expected = Self.expectedOutcome(input)
    let byteByByte = Self.decodeByteByByte(input)
    check(byteByByte == expected, "byte by byte: \(byteByByte), expected \(expected)", input)
    let oneRead = Self.decodeInOneRead(input)
    check(Self.sameDecision(oneRead, expected), "one read: \(oneRead), expected \(expected)", input)
    Self.checkEndOfStream(input, expected: expected)
  }

  /// What §4 says the server does with `input` (only its first 8 bytes matter).
  static func expectedOutcome(_ input: [UInt8]) -> Outcome {
    let magic = ConnectionPreface.magic
    for (index, byte) in input.prefix(magic.count).enumerated() where byte != magic[index] {
      return .rejected(.invalidPreface, atByte: index)
    }
    guard input.count > magic.count else { return .pending }
    guard input[magic.count] == ConnectionPreface.protocolVersion else {
      return .rejected(.unsupportedVersion, atByte: magic.count)
    }
    return .preface(consumed: ConnectionPreface.bytes.count)
  }

  /// Delivers `input` one byte per read, as NIO's `ByteToMessageHandler` would, and stops at
  /// the first output or error.
  static func decodeByteByByte(_ input: [UInt8]) -> Outcome {
    var decoder = FrameDecoder(expectsPreface: true, maxFrameSize: Self.maxFrameSize)
    var buffer = ByteBufferAllocator().buffer(capacity: 16)
    for (index, byte) in input.enumerated() {
      buffer.writeInteger(byte)
      do {
        if let output = try decoder.decode(buffer: &buffer) {
          guard case .preface = output else {
            fail("a frame before the preface: \(output)", input)
          }
          return .preface(consumed: buffer.readerIndex)
        }
      } catch let error as WireProtocolError {
        return .rejected(error.code, atByte: index)
      } catch {
        fail("an error that is not a WireProtocolError: \(error)", input)
      }
      // Undecided: nothing consumed, and never more than the 7 bytes of a correct magic held.
      check(buffer.readerIndex == 0, "consumed \(buffer.readerIndex) bytes while undecided", input)
      check(
        buffer.readableBytes < ConnectionPreface.bytes.count,
        "holds \(buffer.readableBytes) bytes while still awaiting the preface", input)
    }
    return .pending
  }

  /// Delivers all of `input` in one read.
  static func decodeInOneRead(_ input: [UInt8]) -> Outcome {
    var decoder = FrameDecoder(expectsPreface: true, maxFrameSize: Self.maxFrameSize)
    var buffer = ByteBufferAllocator().buffer(bytes: input)
    do {
      if let output = try decoder.decode(buffer: &buffer) {
        guard case .preface = output else { fail("a frame before the preface: \(output)", input) }
        return .preface(consumed: buffer.readerIndex)
      }
      return .pending
    } catch let error as WireProtocolError {
      return .rejected(error.code, atByte: -1)
    } catch {
      fail("an error that is not a WireProtocolError: \(error)", input)
    }
  }

  /// A peer that sends `input` and closes: `decodeLast` must end as §5.4 says.
  static func checkEndOfStream(_ input: [UInt8], expected: Outcome) {
    guard case .pending = expected else { return }
    var decoder = FrameDecoder(expectsPreface: true, maxFrameSize: Self.maxFrameSize)
    var buffer = ByteBufferAllocator().buffer(bytes: input)
    do {
      let output = try decoder.decodeLast(buffer: &buffer, seenEOF: true)
      check(output == nil && input.isEmpty, "end of stream gave \(String(describing: output))", input)
    } catch let error as WireProtocolError {
      check(
        error.code == .truncatedFrame && !input.isEmpty,
        "end of stream after \(input.count) bytes: \(error)", input)
    } catch {
      fail("an error that is not a WireProtocolError: \(error)", input)
    }
  }

  static func sameDecision(_ a: Outcome, _ b: Outcome) -> Bool {
    switch (a, b) {
    case (.rejected(let x, _), .rejected(let y, _)): x == y
    default: a == b
    }
  }
}

/// Stops the run with a message libFuzzer reports as a crash, naming the input.
func fail(_ message: String, _ input: [UInt8]) -> Never {
  let hex = input.prefix(64).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
  fatalError("fuzz-preface: \(message) (input \(input.count) bytes: \(hex)\(input.count > 64 ? "…" : ""))")
}

func check(_ condition: Bool, _ message: @autoclosure () -> String, _ input: [UInt8]) {
  if !condition { fail(message(), input) }
}

extension String {
  func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: max(0, width - self.count)) + self
  }
}
