import GRPCCore

extension StreamingServerResponse {
  /// The response with `value` bound to `local` while its body runs as well.
  ///
  /// GRPCCore runs a streaming response's body after the interceptor has returned, outside
  /// any `withValue` the interceptor wrapped `next` in; interceptors that give handlers a
  /// task-local (the caller, the audit context) re-bind it here.
  func binding<Value: Sendable>(_ local: TaskLocal<Value>, to value: Value) -> Self {
    var response = self
    if case .success(var contents) = response.accepted {
      let producer = contents.producer
      contents.producer = { writer in
        try await local.withValue(value) { try await producer(writer) }
      }
      response.accepted = .success(contents)
    }
    return response
  }
}
