import NIOSSL

/// Refuses, during the TLS handshake, a client certificate chain that holds a revoked serial.
///
/// The check runs in BoringSSL's per-certificate verification callback, which receives
/// BoringSSL's own verdict for each certificate of the chain (root to leaf) and may only turn
/// a pass into a failure: chain, expiry and key-usage checks stay BoringSSL's. A revoked serial
/// anywhere in the chain (a leaf or an intermediate) fails the handshake, so no frame, and no
/// call, is ever exchanged with such a peer.
public struct RevokedSerialCheck: Sendable {
  private let serials: Set<String>

  /// - Parameter serials: serial numbers in hex, any case, leading zeros insignificant.
  public init(serials: Set<String>) {
    self.serials = Set(serials.map(ConnectionAdmission.normalised))
  }

  /// Whether any serial is revoked at all.
  public var isEmpty: Bool { self.serials.isEmpty }

  /// Whether the serial, as DER content bytes, is revoked.
  public func isRevoked(serialBytes: [UInt8]) -> Bool {
    let hex = serialBytes.map { byte in
      let digits = String(byte, radix: 16)
      return byte < 16 ? "0" + digits : digits
    }.joined()
    return self.serials.contains(ConnectionAdmission.normalised(hex))
  }

  /// A server TLS handler on `context` with this check in its verification callback (a plain
  /// handler when nothing is revoked).
  public func makeServerHandler(context: NIOSSLContext) throws -> NIOSSLServerHandler {
    guard !self.isEmpty else { return NIOSSLServerHandler(context: context) }
    // NIOSSL marks this initializer deprecated in favour of the callback that replaces
    // BoringSSL's verification entirely; this one keeps BoringSSL's verification and adds to
    // it, which is what a deny list needs.
    return try NIOSSLServerHandler(context: context) { verdict, certificate in
      guard verdict == .certificateVerified else { return verdict }
      return self.isRevoked(serialBytes: certificate.serialNumber) ? .failed : .certificateVerified
    }
  }
}
