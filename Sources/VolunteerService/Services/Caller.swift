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

  /// The caller of the current RPC when its scope is the whole tree, for operations that
  /// apply everywhere (policies, signing keys).
  ///
  /// - Throws: `PERMISSION_DENIED` saying `why` such callers only, e.g. "policies apply to the
  ///   whole tree" and what they may do, e.g. "load one".
  static func requiredAtRoot(_ rootOrganisationID: String, because why: String, mayThen action: String)
    throws(RPCError) -> Principal
  {
    let principal = try Self.required()
    guard principal.scopeOrganisationID == rootOrganisationID else {
      throw RPCError(
        code: .permissionDenied,
        message: "\(why): only an admin scoped to \"\(rootOrganisationID)\" may \(action)")
    }
    return principal
  }
}
