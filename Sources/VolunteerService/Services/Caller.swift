import GRPCCore

/// The authenticated principal of the call being served, set by
/// ``AuthenticationInterceptor`` before any handler runs.
public enum Caller {
  @TaskLocal static var current: Principal?

  /// The caller of the current RPC.
  ///
  /// - Throws: `UNAUTHENTICATED` if no interceptor authenticated the call, which means the
  ///   service was assembled without ``AuthenticationInterceptor``: fail closed.
  static func required() throws(RPCError) -> Principal {
    guard let principal = Self.current else {
      throw RPCError(code: .unauthenticated, message: "the call was not authenticated")
    }
    return principal
  }
}
