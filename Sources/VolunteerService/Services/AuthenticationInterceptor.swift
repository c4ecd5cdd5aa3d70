import GRPCCore
import WireProtocol

/// Authenticates every call before any handler runs: the transport's certificate identity
/// must be a known, enabled principal whose role may call the method.
///
/// The principal is looked up on every call rather than per connection, so disabling a
/// principal takes effect at once, also on connections already open.
public struct AuthenticationInterceptor: ServerInterceptor {
  private let store: any RecordStore
  private let revokedSerials: Set<String>

  /// Creates an interceptor reading principals from `store` and refusing certificates whose
  /// serial is in `revokedSerials` (the wire transport refuses those at the handshake already;
  /// this covers transports that authenticate per call, such as HTTP/2).
  public init(store: any RecordStore, revokedSerials: Set<String> = []) {
    self.store = store
    self.revokedSerials = Set(revokedSerials.map(ConnectionAdmission.normalised))
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws ->
      StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let identity = try context.callerIdentity()
    if !self.revokedSerials.isEmpty,
      self.revokedSerials.contains(ConnectionAdmission.normalised(identity.certificateSerial))
    {
      throw RPCError(
        code: .unauthenticated,
        message: "client certificate serial \(identity.certificateSerial) is revoked; ask for a new certificate")
    }
    guard let principal = try await self.store.principal(id: identity.principalID) else {
      throw RPCError(
        code: .unauthenticated,
        message: "\(identity.principalID) is not a registered principal; ask an admin to add it "
          + "(vol-admin principal add)")
    }
    guard principal.isEnabled else {
      throw RPCError(code: .unauthenticated, message: "principal \(principal.id) is disabled")
    }
    guard MethodPolicy.roles(allowedToCall: context.descriptor).contains(principal.role) else {
      throw RPCError(
        code: .permissionDenied,
        message: "role \(principal.role.rawValue) may not call \(context.descriptor.fullyQualifiedMethod)")
    }
    let response = try await Caller.$current.withValue(principal) {
      try await next(request, context)
    }
    return response.binding(Caller.$current, to: principal)
  }
}
