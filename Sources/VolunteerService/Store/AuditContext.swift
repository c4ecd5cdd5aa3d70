import AuditTrail
import Crypto
import Synchronization

/// Who is changing the store and through which call, for the audit entry each mutation
/// appends in its own transaction.
///
/// The audit interceptor sets it for every call; the store reads it when a write is
/// submitted. Writes made without one (start-up work such as loading policies) are recorded
/// as the service's own.
public struct AuditContext: Sendable {
  /// The context of the call being served.
  @TaskLocal public static var current: AuditContext?

  /// The principal making the change.
  public var principalID: String
  /// The fully qualified RPC method, e.g. `volunteer.v1.Hours/UploadHours`.
  public var method: String
  /// The request digest, fed as request messages arrive.
  public var request: RequestDigest

  /// Creates a context.
  public init(principalID: String, method: String, request: RequestDigest = RequestDigest()) {
    self.principalID = principalID
    self.method = method
    self.request = request
  }

  /// The context of writes the service makes on its own.
  static func system(_ what: String) -> AuditContext {
    AuditContext(principalID: "system", method: what)
  }
}

/// A running SHA-256 over the serialized request messages of one call, in arrival order.
///
/// A client-streaming call's store write happens after its messages were read, so the digest
/// at that moment covers the whole request.
public final class RequestDigest: Sendable {
  private let hasher = Mutex(SHA256())

  /// An empty digest.
  public init() {}

  /// Adds one serialized message, length-prefixed so message boundaries count.
  public func add(message bytes: [UInt8]) {
    self.hasher.withLock { hasher in
      var length = UInt64(bytes.count).bigEndian
      withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
      hasher.update(data: bytes)
    }
  }

  /// The digest of the messages added so far, lower-case hex.
  public var hex: String {
    AuditDigest.hex(self.hasher.withLock { $0 }.finalize())
  }
}
