import Credentials
import Foundation

/// A signed statement of the chain's head: "the audit log had `size` entries ending in
/// `headHash` at `at`", as a compact JWS (EdDSA) verifiable with the service's published
/// JWKS by any JOSE library.
///
/// Publishing checkpoints outside the database (exports, auditors' copies) is what makes a
/// rewritten chain detectable: a rewrite cannot reproduce the signatures.
public struct AuditCheckpoint: Sendable, Hashable, Codable {
  /// The JWS `typ` of checkpoint tokens.
  public static let tokenType = "vrs-audit-checkpoint+jwt"

  /// Number of entries covered.
  public var size: Int64
  /// ``AuditEntry/hash`` of entry `size`.
  public var headHash: String
  /// When it was signed, ISO 8601 UTC.
  public var at: String
  /// The signed token; its payload repeats the three fields above.
  public var token: String

  /// The signed payload.
  struct Payload: Codable, Equatable {
    var size: Int64
    var head: String
    var at: String
    var typ = "vrs-audit-checkpoint"
  }

  /// Signs a checkpoint of a chain of `size` entries ending in `headHash`.
  public static func sign(
    size: Int64, headHash: String, at: String, key: Ed25519SigningKey
  ) throws -> AuditCheckpoint {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let payload = try encoder.encode(Payload(size: size, head: headHash, at: at))
    let token = try key.sign(payload: payload, type: Self.tokenType)
    return AuditCheckpoint(size: size, headHash: headHash, at: at, token: token)
  }

  /// Creates a checkpoint from stored fields (not verified).
  public init(size: Int64, headHash: String, at: String, token: String) {
    self.size = size
    self.headHash = headHash
    self.at = at
    self.token = token
  }

  /// Checks the signature against `keySet` and that the signed payload states the same
  /// size, head and time as the fields; returns what is wrong, or `nil`.
  public func problem(keySet: JWKSet) -> String? {
    let verified: VerifiedJWS
    do {
      verified = try CompactJWS.verify(self.token, keySet: keySet)
    } catch {
      return "checkpoint \(self.size): signature does not verify: \(error)"
    }
    guard verified.jws.header.typ == Self.tokenType else {
      return "checkpoint \(self.size): token type is \(verified.jws.header.typ ?? "missing"), not \(Self.tokenType)"
    }
    guard let payload = try? JSONDecoder().decode(Payload.self, from: verified.jws.payload) else {
      return "checkpoint \(self.size): payload is not a checkpoint"
    }
    guard payload.size == self.size, payload.head == self.headHash, payload.at == self.at else {
      return "checkpoint \(self.size): signed payload (size \(payload.size), head \(payload.head)) "
        + "differs from the stored fields (size \(self.size), head \(self.headHash))"
    }
    return nil
  }
}
