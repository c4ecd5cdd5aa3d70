import Synchronization

/// Decides which authenticated connections a server keeps: certificates whose serial is
/// revoked are refused, and each principal may hold at most a set number of connections.
///
/// Shared by every connection of one transport. Counting happens after the TLS handshake,
/// when the principal is known; a connection counted by ``admit(_:)`` must be given back
/// with ``release(_:)`` when it closes.
public final class ConnectionAdmission: Sendable {
  /// Why a connection was refused.
  public enum Refusal: Sendable, Equatable {
    /// The certificate's serial is on the deny list.
    case revoked(serial: String)
    /// The principal already holds its maximum number of connections.
    case tooManyConnections(principalID: String, limit: Int)
  }

  private let revokedSerials: Set<String>
  private let maxConnectionsPerPrincipal: Int
  private let maxConnections: Int
  private let open = Mutex<[String: Int]>([:])
  private let accepted = Mutex(0)

  /// - Parameters:
  ///   - revokedSerials: certificate serial numbers, lower-case hex without separators.
  ///   - maxConnections: TCP connections held at once, authenticated or not.
  ///   - maxConnectionsPerPrincipal: connections one principal may hold at once.
  public init(
    revokedSerials: Set<String> = [], maxConnections: Int = .max, maxConnectionsPerPrincipal: Int = .max
  ) {
    self.revokedSerials = Set(revokedSerials.map(Self.normalised))
    self.maxConnections = maxConnections
    self.maxConnectionsPerPrincipal = maxConnectionsPerPrincipal
  }

  /// Counts a newly accepted TCP connection; `false` (counting nothing) when the server
  /// already holds ``maxConnections``, and the connection should be closed unserved.
  public func accept() -> Bool {
    let limit = self.maxConnections
    return self.accepted.withLock { count in
      guard count < limit else { return false }
      count += 1
      return true
    }
  }

  /// Gives back a connection counted by ``accept()``.
  public func closed() {
    self.accepted.withLock { $0 = max(0, $0 - 1) }
  }

  /// TCP connections currently counted.
  public var acceptedConnections: Int { self.accepted.withLock { $0 } }

  /// Counts a new connection of `identity`, or says why it is refused (and counts nothing).
  public func admit(_ identity: PeerIdentity) -> Refusal? {
    if self.revokedSerials.contains(Self.normalised(identity.certificateSerial)) {
      return .revoked(serial: identity.certificateSerial)
    }
    let limit = self.maxConnectionsPerPrincipal
    return self.open.withLock { open in
      let count = open[identity.principalID, default: 0]
      guard count < limit else {
        return .tooManyConnections(principalID: identity.principalID, limit: limit)
      }
      open[identity.principalID] = count + 1
      return nil
    }
  }

  /// A serial as compared: lower-case hex without leading zeros, so `openssl x509 -serial`
  /// output and the DER bytes (which may carry a leading 00) agree.
  public static func normalised(_ serial: String) -> String {
    let trimmed = serial.lowercased().drop { $0 == "0" }
    return trimmed.isEmpty ? "0" : String(trimmed)
  }

  /// Gives back a connection counted by ``admit(_:)``.
  public func release(_ identity: PeerIdentity) {
    self.open.withLock { open in
      let count = open[identity.principalID, default: 0]
      if count <= 1 {
        open.removeValue(forKey: identity.principalID)
      } else {
        open[identity.principalID] = count - 1
      }
    }
  }

  /// Connections currently counted for `principalID`.
  public func connections(of principalID: String) -> Int {
    self.open.withLock { $0[principalID, default: 0] }
  }
}
