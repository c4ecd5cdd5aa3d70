import GRPCCore
import NIOSSL
import SwiftASN1
import X509

/// Who is on the other end of a connection, as proven by its validated client certificate.
///
/// The transport attaches it to every call as `ServerContext.transportSpecific`, so an
/// authentication interceptor can look the principal up before any handler runs.
public struct PeerIdentity: ServerContext.TransportSpecific, Hashable, CustomStringConvertible {
  /// The certificate's single URI SAN (e.g. `spiffe://volunteer/partner/beijing`), else its
  /// subject common name.
  public var principalID: String
  /// The certificate serial number in lower-case hex, for audit and deny lists.
  public var certificateSerial: String

  /// Creates an identity.
  public init(principalID: String, certificateSerial: String) {
    self.principalID = principalID
    self.certificateSerial = certificateSerial
  }

  public var description: String { self.principalID }

  /// The identity of a peer certificate: exactly one URI SAN, or the CN when there is none.
  ///
  /// - Throws: ``WireProtocolError`` with code `.unauthenticatedPeer` when the certificate
  ///   cannot be parsed, carries several URI SANs (ambiguous) or neither a URI SAN nor a CN.
  init(certificate: NIOSSLCertificate) throws(WireProtocolError) {
    let parsed: Certificate
    do {
      parsed = try Certificate(derEncoded: try certificate.toDERBytes())
    } catch {
      throw WireProtocolError(
        code: .unauthenticatedPeer, message: "client certificate could not be parsed: \(error)")
    }
    try self.init(certificate: parsed)
  }

  /// The identity of a validated peer certificate: exactly one URI SAN, or the CN when there
  /// is none.
  ///
  /// Every transport that authenticates callers by client certificate derives the principal
  /// with this one rule, so a certificate names the same principal on every port.
  ///
  /// - Throws: ``WireProtocolError`` with code `.unauthenticatedPeer` when the certificate
  ///   carries several URI SANs (ambiguous) or neither a URI SAN nor a CN.
  public init(certificate: Certificate) throws(WireProtocolError) {
    let uris: [String]
    do {
      let names = try certificate.extensions.subjectAlternativeNames.map { Array($0) } ?? []
      uris = names.compactMap { name -> String? in
        if case .uniformResourceIdentifier(let uri) = name { uri } else { nil }
      }
    } catch {
      throw WireProtocolError(
        code: .unauthenticatedPeer,
        message: "client certificate's subject alternative names could not be parsed: \(error)")
    }
    let serial = certificate.serialNumber.bytes.map { byte in
      let hex = String(byte, radix: 16)
      return byte < 16 ? "0" + hex : hex
    }.joined()

    switch uris.count {
    case 1:
      self.init(principalID: uris[0], certificateSerial: serial)
    case 0:
      var commonName: String?
      for relativeName in certificate.subject {
        for attribute in relativeName where attribute.type == .RDNAttributeType.commonName {
          commonName = String(attribute.value)
        }
      }
      guard let commonName, !commonName.isEmpty else {
        throw WireProtocolError(
          code: .unauthenticatedPeer,
          message: "client certificate has neither a URI subject alternative name nor a common name"
        )
      }
      self.init(principalID: commonName, certificateSerial: serial)
    default:
      throw WireProtocolError(
        code: .unauthenticatedPeer,
        message: "client certificate has \(uris.count) URI subject alternative names; exactly one "
          + "is allowed so the identity is unambiguous"
      )
    }
  }
}

extension ServerContext {
  /// The certificate identity of the caller, when the call came over the wire transport.
  public var peerIdentity: PeerIdentity? {
    self.transportSpecific as? PeerIdentity
  }
}
