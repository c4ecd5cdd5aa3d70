/// Why a bundle could not be written.
public enum BundleError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The output directory exists and is not empty, or cannot be created.
  case directoryUnusable(path: String, reason: String)
  /// Writing a file failed.
  case writeFailed(path: String, reason: String)
  /// An argument is unusable (bad status list name, metadata overriding `token`, …).
  case invalidArgument(String)
  /// ``BundleWriter/finish(keySet:statusLists:filters:createdAt:signingKey:)`` was already called.
  case alreadyFinished

  /// A message naming the path or argument.
  public var description: String {
    switch self {
    case .directoryUnusable(let path, let reason): "bundle directory \(path) cannot be used: \(reason)"
    case .writeFailed(let path, let reason): "could not write \(path): \(reason)"
    case .invalidArgument(let reason): "invalid bundle input: \(reason)"
    case .alreadyFinished: "the bundle was already finished; create a new BundleWriter"
    }
  }
}
