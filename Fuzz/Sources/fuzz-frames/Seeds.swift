import Foundation
import NIOCore

@testable import WireProtocol

/// libFuzzer calls this once before the first input. With `FUZZ_WRITE_SEEDS=DIR` it writes the
/// seed corpus (Fuzz/corpus/fuzz-frames) and exits.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
  if let directory = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] {
    FrameSeeds.write(to: directory)
    exit(0)
  }
  return 0
}

/// Valid frames of every kind, as the transports encode them, in the input layout of
/// ``FrameFuzzing``.
enum FrameSeeds {
  static func frames() -> [(String, Volunteer_Wire_V1_Frame)] {
    let metadata: [Volunteer_Wire_V1_MetadataEntry] = [
      .with {
        $0.key = "grpc-timeout"
        $0.text = "5S"
      },
      .with {
        $0.key = "trace-bin"
        $0.binary = Data([1, 2, 3])
      },
    ]
    return [
      ("settings", .connection(.settings(.with {
        $0.protocolVersion = 1
        $0.serverVersion = "volunteer-records 0.1.0"
        $0.maxFrameSize = 4_194_304
        $0.maxConcurrentCalls = 256
        $0.maxMetadataSize = 8_192
        $0.keepaliveIntervalMs = 60_000
        $0.idleTimeoutMs = 300_000
      }))),
      ("open", .call(1, .open(.with {
        $0.method = "/volunteer.v1.Health/Check"
        $0.metadata = metadata
      }))),
      ("message", .call(1, .message(.with { $0.data = Data([0x0A, 0x03, 0x61, 0x62, 0x63]) }))),
      ("message-empty", .call(1, .message(.init()))),
      ("half-close", .call(1, .halfClose(.init()))),
      ("headers", .call(1, .headers(.with { $0.metadata = metadata }))),
      ("status-ok", .call(1, .status(.init()))),
      ("status-error", .call(3, .status(.with {
        $0.code = 5
        $0.message = "volunteer V0000000014 does not exist or is outside your scope"
        $0.trailers = metadata
      }))),
      ("cancel", .call(2, .cancel(.init()))),
      ("ping", .connection(.ping(.with { $0.opaque = 0x0123_4567_89AB_CDEF }))),
      ("pong", .connection(.pong(.with { $0.opaque = 42 }))),
      ("goaway", .connection(.goaway(.with {
        $0.lastCallID = 7
        $0.code = 8
        $0.reason = "frame of 5000000 bytes exceeds the limit of 4194304 bytes"
      }))),
    ]
  }

  static func encoded(_ frame: Volunteer_Wire_V1_Frame) -> [UInt8] {
    Array(try! frame.encodedWithLengthPrefix(allocator: ByteBufferAllocator()).readableBytesView)
  }

  static func write(to directory: String) {
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    func save(_ name: String, flags: UInt8, limit: Int = 0, chunks: [UInt8] = [], _ stream: [UInt8]) {
      let header = [flags, UInt8(limit >> 8 & 0xFF), UInt8(limit & 0xFF), UInt8(chunks.count)] + chunks
      FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(header + stream))
    }
    let frames = Self.frames()
    for (name, frame) in frames {
      save("frame-\(name)", flags: 0, Self.encoded(frame))
    }
    // A client's connection: preface, then a unary call and connection frames, in one read and
    // in reads of 1, 2 and 5 bytes (chunk bytes are size - 1).
    let call = ["open", "message", "half-close", "ping", "cancel", "goaway"].flatMap { name in
      Self.encoded(frames.first { $0.0 == name }!.1)
    }
    save("connection", flags: 1, ConnectionPreface.bytes + call)
    save("connection-chunked", flags: 1, chunks: [0, 1, 4], ConnectionPreface.bytes + call)
    // Limits: a frame exactly at a small limit (accepted), one byte over (refused), and a
    // length prefix far over the configured 4 MiB.
    let status = Self.encoded(frames.first { $0.0 == "status-error" }!.1)
    save("limit-exact", flags: 2, limit: status.count - 4, status)
    save("limit-over", flags: 2, limit: status.count - 5, status)
    save("length-4gib", flags: 0, [0xFF, 0xFF, 0xFF, 0xFF, 0x3A, 0x00])
    // Malformed: no kind, an unknown kind, a truncated body.
    save("no-kind", flags: 0, [0, 0, 0, 2, 0x08, 0x01])
    save("unknown-kind", flags: 0, [0, 0, 0, 2, 0x62, 0x00])
    save("truncated", flags: 0, [0, 0, 0, 9, 0x08, 0x01, 0x2A])
    print("fuzz-frames: wrote seeds to \(directory)")
  }
}
