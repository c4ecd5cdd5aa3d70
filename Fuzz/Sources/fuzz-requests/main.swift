// libFuzzer entry point: every request message of every RPC method, through the service's own
// handlers. See RequestFuzzing.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  RequestFuzzing.run(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}
