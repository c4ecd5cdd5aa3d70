import GRPCCore

extension RPCError {
  /// A domain validation failure: `INVALID_ARGUMENT` naming the request field at fault.
  init(_ error: IdentityValidationError) {
    self.init(code: .invalidArgument, message: "\(error.field): \(error.reason)")
  }

  /// A store rule violation, mapped to the status a partner's developer can act on.
  init(_ error: RecordStoreError) {
    switch error {
    case .alreadyExists(let message):
      self.init(code: .alreadyExists, message: message)
    case .notFound(let message):
      self.init(code: .notFound, message: message)
    case .idempotencyConflict(let key):
      self.init(
        code: .failedPrecondition,
        message: "idempotency key \"\(key)\" was already used with different content; use a new "
          + "key for a new request, or resend the original request unchanged")
    case .failedPrecondition(let message):
      self.init(code: .failedPrecondition, message: message)
    case .duplicateDocument(let number):
      self.init(
        code: .alreadyExists,
        message: "a volunteer with this identity document is already registered as \(number)")
    }
  }
}

extension RPCError {
  /// A PostgreSQL failure: UNAVAILABLE when retrying can succeed (the connection, a
  /// serialization conflict that outlasted the store's own retries, the server shutting
  /// down or out of resources), INTERNAL otherwise. The partner sees the SQLSTATE, never the
  /// server's detail text, which may quote stored values.
  init(_ error: PostgresStoreError) {
    let state = error.sqlState ?? ""
    let transient = state.isEmpty || ["08", "40", "53", "57"].contains(String(state.prefix(2)))
    if transient {
      self.init(
        code: .unavailable,
        message: "the record store is unavailable (\(state.isEmpty ? "connection" : "SQLSTATE " + state)); "
          + "retry with the same idempotency key")
    } else {
      self.init(code: .internalError, message: "the record store failed (SQLSTATE \(state)); the service log has the details")
    }
  }
}

extension RPCError {
  /// NOT_FOUND for something that is missing *or* outside the caller's scope. Both read the
  /// same, so an answer never reveals whether a record exists elsewhere in the tree.
  ///
  /// - Parameters:
  ///   - thing: what was asked for, e.g. `volunteer V0000000014` or `organisation "x"`.
  ///   - field: the request field that named it, put in front like validation errors.
  static func notFoundInScope(_ thing: String, field: String? = nil) -> RPCError {
    RPCError(
      code: .notFound,
      message: (field.map { "\($0): " } ?? "") + "\(thing) does not exist or is outside your scope")
  }
}

/// Runs a service operation, translating domain and store errors into `RPCError`s so every
/// handler reports them the same way.
func withDomainErrors<T>(_ body: () async throws -> T) async throws -> T {
  do {
    return try await body()
  } catch let error as IdentityValidationError {
    throw RPCError(error)
  } catch let error as RecordStoreError {
    throw RPCError(error)
  } catch let error as PostgresStoreError {
    throw RPCError(error)
  }
}
