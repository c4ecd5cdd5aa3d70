import NIOSSL

/// Paths of the PEM files that make up one side's TLS configuration.
///
/// Both sides of the wire protocol use mutual TLS: the server requires a client certificate
/// chained to `trustRootsPath` (the partner CA), and the client verifies the server against
/// its own `trustRootsPath`.
public struct WireTLSFiles: Sendable, Hashable {
  /// The certificate chain presented to the peer, leaf first.
  public var certificateChainPath: String
  /// The private key of the leaf certificate.
  public var privateKeyPath: String
  /// The CA certificates the peer's certificate must chain to.
  public var trustRootsPath: String

  /// Creates a set of paths.
  public init(certificateChainPath: String, privateKeyPath: String, trustRootsPath: String) {
    self.certificateChainPath = certificateChainPath
    self.privateKeyPath = privateKeyPath
    self.trustRootsPath = trustRootsPath
  }

  /// Mozilla "intermediate" TLS 1.2 suites (ECDHE with AES-GCM or ChaCha20-Poly1305);
  /// TLS 1.3 suites are not configurable and all acceptable.
  static let intermediateCipherSuites = [
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
  ].joined(separator: ":")

  /// A server configuration: TLS 1.2 or later, a verified client certificate required.
  ///
  /// NIOSSL's defaults accept TLS 1.0 and ask for no client certificate; both are overridden.
  public func makeServerConfiguration() throws -> TLSConfiguration {
    var tls = TLSConfiguration.makeServerConfiguration(
      certificateChain: try NIOSSLCertificate.fromPEMFile(self.certificateChainPath)
        .map { .certificate($0) },
      privateKey: .privateKey(try NIOSSLPrivateKey(file: self.privateKeyPath, format: .pem))
    )
    tls.minimumTLSVersion = .tlsv12
    tls.cipherSuites = Self.intermediateCipherSuites
    tls.certificateVerification = .noHostnameVerification
    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(self.trustRootsPath))
    tls.applicationProtocols = [ConnectionPreface.alpnProtocol]
    return tls
  }

  /// A client configuration: TLS 1.2 or later, the server verified against the trust roots
  /// including its host name, this side's certificate presented.
  public func makeClientConfiguration() throws -> TLSConfiguration {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.minimumTLSVersion = .tlsv12
    tls.cipherSuites = Self.intermediateCipherSuites
    tls.certificateVerification = .fullVerification
    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(self.trustRootsPath))
    tls.certificateChain = try NIOSSLCertificate.fromPEMFile(self.certificateChainPath)
      .map { .certificate($0) }
    tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: self.privateKeyPath, format: .pem))
    tls.applicationProtocols = [ConnectionPreface.alpnProtocol]
    return tls
  }
}
