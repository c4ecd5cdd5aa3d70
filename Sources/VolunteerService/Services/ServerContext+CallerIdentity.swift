import GRPCCore
import GRPCNIOTransportHTTP2Posix
import WireProtocol

extension ServerContext {
  /// The certificate identity of the caller, from whichever transport carried the call.
  ///
  /// The wire transport attaches a ``PeerIdentity`` it derived at the handshake; the HTTP/2
  /// transport attaches the peer certificate, from which the identity is derived by the same
  /// rule (one URI SAN, else the CN).
  ///
  /// - Throws: `RPCError` UNAUTHENTICATED when the call carries no usable client certificate.
  func callerIdentity() throws -> PeerIdentity {
    if let identity = self.peerIdentity { return identity }
    if let http2 = self.transportSpecific as? HTTP2ServerTransport.Posix.Context,
      let certificate = http2.peerCertificate
    {
      do {
        return try PeerIdentity(certificate: certificate)
      } catch {
        throw RPCError(code: .unauthenticated, message: error.message)
      }
    }
    throw RPCError(code: .unauthenticated, message: "the call carries no client-certificate identity")
  }
}
