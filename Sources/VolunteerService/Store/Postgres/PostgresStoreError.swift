import PostgresNIO

/// A failure of the PostgreSQL server or the connection to it, with what the server said.
///
/// postgres-nio's `PSQLError` prints a generic text so that query values cannot leak into
/// logs; an operator still needs the SQLSTATE and the server's message (never the bound
/// values) to act: a refused login, a full disk, a missing privilege.
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
  /// The SQLSTATE, e.g. `28P01` for a wrong password; `nil` for a connection-level failure.
  public var sqlState: String?
  /// The server's message, or the client's error code for a connection-level failure.
  public var message: String
  /// The server's detail and hint, when it sent them.
  public var detail: String?

  /// Wraps `error` when it is postgres-nio's; other errors (the store's own typed refusals)
  /// pass through unchanged.
  static func wrapping(_ error: any Error) -> any Error {
    guard let error = error as? PSQLError else { return error }
    let info = error.serverInfo
    let detail = [info?[.detail], info?[.hint]].compactMap { $0 }.joined(separator: "; ")
    return PostgresStoreError(
      sqlState: info?[.sqlState],
      message: info?[.message] ?? "\(error.code)" + (error.underlying.map { ": \($0)" } ?? ""),
      detail: detail.isEmpty ? nil : detail)
  }

  public var description: String {
    var text = "PostgreSQL: " + self.message
    if let sqlState { text += " (SQLSTATE \(sqlState))" }
    if let detail { text += "; " + detail }
    return text
  }
}
