import GRPCCore
import SwiftProtobuf

/// Gives every authenticated call an ``AuditContext``: the caller, the method, and a digest
/// of the request messages as the handler reads them, so each write the call makes is
/// recorded in the audit log under its name.
///
/// Runs after ``AuthenticationInterceptor``, which sets ``Caller/current``.
public struct AuditInterceptor: ServerInterceptor {
  /// Creates the interceptor.
  public init() {}

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws ->
      StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let principal = try Caller.required()
    let audit = AuditContext(principalID: principal.id, method: context.descriptor.fullyQualifiedMethod)
    var request = request
    let digest = audit.request
    request.messages = RPCAsyncSequence(
      wrapping: request.messages.map { message in
        if let message = message as? any SwiftProtobuf.Message {
          digest.add(message: try message.serializedBytes())
        }
        return message
      })
    let response = try await AuditContext.$current.withValue(audit) {
      try await next(request, context)
    }
    return response.binding(AuditContext.$current, to: audit)
  }
}
