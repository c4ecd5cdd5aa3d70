import Foundation

/// Why the key ring refused to load, change or use a key.
public enum KeyRingError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The directory could not be created, listed or read.
  case directoryUnavailable(path: String, reason: String)
  /// A private key file is readable or writable by group/others, or is not a regular file.
  case insecurePermissions(path: String, mode: UInt32)
  /// A key file or metadata file could not be parsed.
  case malformedFile(path: String, reason: String)
  /// A metadata file does not describe the private key next to it.
  case metadataMismatch(path: String, reason: String)
  /// No key with this `kid` is in the ring.
  case unknownKey(String)
  /// The requested lifecycle change is not allowed from the key's current state.
  case invalidTransition(kid: String, reason: String)
  /// No key may sign at this time (none active, or the active one is compromised or has no
  /// private key on this host).
  case noSigningKey(at: Date)
  /// Writing a file failed.
  case writeFailed(path: String, reason: String)

  /// A message naming the file or key and the fix.
  public var description: String {
    switch self {
    case .directoryUnavailable(let path, let reason):
      "key ring directory \(path) is unavailable: \(reason)"
    case .insecurePermissions(let path, let mode):
      "refusing key file \(path): mode \(String(mode & 0o7777, radix: 8)) lets group/others reach it or it is not a regular file; run `chmod 600 \(path)`"
    case .malformedFile(let path, let reason):
      "key ring file \(path) is malformed: \(reason)"
    case .metadataMismatch(let path, let reason):
      "key metadata \(path) does not match its key: \(reason)"
    case .unknownKey(let kid):
      "no key with kid \(kid) in the key ring"
    case .invalidTransition(let kid, let reason):
      "cannot change key \(kid): \(reason)"
    case .noSigningKey(let date):
      "no key may sign at \(JSONCoding.timestamp(date)); rotate to create and activate one"
    case .writeFailed(let path, let reason):
      "could not write \(path): \(reason)"
    }
  }
}
