/// The data directory is locked by another process, or its lock file cannot be opened.
public struct DataDirectoryLockError: Error, CustomStringConvertible {
  /// What went wrong and what to do.
  public var message: String
  public var description: String { self.message }
}
