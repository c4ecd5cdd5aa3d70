import Foundation

@testable import WireProtocol

/// libFuzzer calls this once before the first input. With `FUZZ_WRITE_SEEDS=DIR` it writes the
/// seed corpus (Fuzz/corpus/fuzz-preface) and exits.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
  if let directory = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] {
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let preface = ConnectionPreface.bytes
    let seeds: [(String, [UInt8])] = [
      ("valid", preface),
      ("valid-then-frame", preface + [0, 0, 0, 4, 0x08, 0x01, 0x2A, 0x00]),
      ("version-2", ConnectionPreface.magic + [2]),
      ("partial", Array(preface.prefix(5))),
      ("http", Array("GET / HTTP/1.1\r\n".utf8)),
      ("tls-client-hello", [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01]),
    ]
    for (name, bytes) in seeds {
      FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(bytes))
    }
    print("fuzz-preface: wrote \(seeds.count) seeds to \(directory)")
    exit(0)
  }
  return 0
}
