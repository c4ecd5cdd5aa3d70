import ArgumentParser

/// The process exit codes of vol-admin.
enum ExitStatus {
  /// The server answered with an error status.
  static let serverError: Int32 = 1
  /// The command line or the local setup (certificate files) is wrong.
  static let usage: Int32 = 2
  /// The server could not be reached (UNAVAILABLE).
  static let cannotConnect: Int32 = 3
}
