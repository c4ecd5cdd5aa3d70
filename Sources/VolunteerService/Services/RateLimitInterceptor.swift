import GRPCCore

/// Limits each principal's call rate with a token bucket, so one partner's burst cannot
/// starve the others: a call beyond the limit fails with RESOURCE_EXHAUSTED, the wait in
/// its message and in the `retry-after-ms` trailer.
///
/// Runs after ``AuthenticationInterceptor``: only authenticated principals have buckets, so
/// the table stays as small as the principal list.
public struct RateLimitInterceptor: ServerInterceptor {
  /// The trailer carrying the milliseconds to wait before retrying.
  public static let retryAfterKey = "retry-after-ms"

  private let limiter: RateLimiter
  private let clock: ContinuousClock

  /// Creates the interceptor over `limiter`.
  public init(limiter: RateLimiter, clock: ContinuousClock = ContinuousClock()) {
    self.limiter = limiter
    self.clock = clock
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws ->
      StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let principal = try Caller.required()
    if let wait = self.limiter.admit(principal.id, at: self.clock.now) {
      let (seconds, attoseconds) = wait.components
      let milliseconds = max(1, seconds * 1_000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
      throw RPCError(
        code: .resourceExhausted,
        message: "\(principal.id) exceeded its call rate; retry after \(milliseconds) ms "
          + "(limits.callsPerSecondPerPrincipal)",
        metadata: [Self.retryAfterKey: "\(milliseconds)"])
    }
    return try await next(request, context)
  }
}
