// libFuzzer entry point: the frame decoder (docs/PROTOCOL.md §5). See FrameFuzzing.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  FrameFuzzing.run(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}
