// libFuzzer entry point: the connection preface (docs/PROTOCOL.md §4). See PrefaceFuzzing.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  PrefaceFuzzing.run(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}
