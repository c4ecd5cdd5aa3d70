import Foundation

/// The signed `BitstringStatusListCredential` (W3C Bitstring Status List v1.0) as a JWT
/// claims set: the list, its purpose, and its timestamp (`validFrom` = `iat` = `nbf`).
public struct StatusListCredential: Sendable, Equatable, Codable {
  /// `["https://www.w3.org/ns/credentials/v2"]`.
  public var context: [String]
  /// The list URL; credentials point at it from `statusListCredential`.
  public var id: String
  /// `VerifiableCredential`, `BitstringStatusListCredential`.
  public var type: [String]
  /// Issuer identifier (the records service).
  public var issuer: String
  /// RFC 3339 time the snapshot was taken.
  public var validFrom: String
  /// RFC 3339 time after which a fresher snapshot should be fetched, if any.
  public var validUntil: String?
  /// The list itself.
  public var credentialSubject: Subject
  /// JWT issuer: equals `issuer`.
  public var iss: String
  /// JWT ID: equals `id`.
  public var jti: String
  /// JWT issued-at (seconds): equals `validFrom`.
  public var iat: Int64
  /// JWT not-before (seconds): equals `validFrom`.
  public var nbf: Int64

  enum CodingKeys: String, CodingKey {
    case context = "@context"
    case id, type, issuer, validFrom, validUntil, credentialSubject, iss, jti, iat, nbf
  }

  /// The `BitstringStatusList` subject.
  public struct Subject: Sendable, Equatable, Codable {
    /// `<list URL>#list`.
    public var id: String
    /// `BitstringStatusList`.
    public var type: String
    /// `revocation` or `suspension`.
    public var statusPurpose: String
    /// `u` + base64url(GZIP(bitstring)).
    public var encodedList: String
  }

  /// Builds and signs a status list snapshot.
  ///
  /// - Parameters:
  ///   - list: the bits.
  ///   - purpose: `revocation` or `suspension`.
  ///   - listURL: the URL credentials reference (no fragment).
  ///   - issuer: the service's issuer identifier.
  ///   - timestamp: snapshot time; becomes `validFrom`, `iat`, `nbf`.
  ///   - key: the key allowed to sign at `timestamp`.
  public static func sign(
    list: BitstringStatusList, purpose: String, listURL: String, issuer: String, timestamp: Date,
    validUntil: Date? = nil, key: Ed25519SigningKey
  ) throws -> String {
    guard purpose == "revocation" || purpose == "suspension" else {
      throw StatusListError.invalidCredential("statusPurpose \"\(purpose)\" must be revocation or suspension")
    }
    let when = JSONCoding.wholeSeconds(timestamp)
    let seconds = Int64(when.timeIntervalSince1970)
    let credential = StatusListCredential(
      context: [AchievementCredentialBuilder.vcContext],
      id: listURL,
      type: ["VerifiableCredential", "BitstringStatusListCredential"],
      issuer: issuer,
      validFrom: JSONCoding.timestamp(when),
      validUntil: validUntil.map { JSONCoding.timestamp(JSONCoding.wholeSeconds($0)) },
      credentialSubject: Subject(
        id: listURL + "#list", type: "BitstringStatusList", statusPurpose: purpose, encodedList: try list.encodedList()),
      iss: issuer, jti: listURL, iat: seconds, nbf: seconds)
    let payload = try JSONCoding.encoder().encode(credential)
    return try key.sign(payload: payload, type: JOSEHeader.verifiableCredentialType)
  }

  /// Verifies a status list JWT against `keySet` (signature, and the key's signing window at
  /// `iat`), checks its shape, and decodes the list with the decompression cap.
  public static func verify(
    _ token: String, keySet: JWKSet, maximumBytes: Int = BitstringStatusList.defaultMaximumBytes
  ) throws -> VerifiedStatusList {
    let verified = try CompactJWS.verify(token, keySet: keySet, maximumSize: maximumBytes * 2 + 4096)
    let credential: StatusListCredential
    do {
      credential = try JSONCoding.decoder().decode(StatusListCredential.self, from: verified.jws.payload)
    } catch {
      throw StatusListError.invalidCredential("payload is not a BitstringStatusListCredential: \(error)")
    }
    guard credential.context.first == AchievementCredentialBuilder.vcContext else {
      throw StatusListError.invalidCredential("@context must start with \(AchievementCredentialBuilder.vcContext)")
    }
    guard credential.type.contains("VerifiableCredential"), credential.type.contains("BitstringStatusListCredential") else {
      throw StatusListError.invalidCredential("type must include BitstringStatusListCredential")
    }
    guard credential.credentialSubject.type == "BitstringStatusList" else {
      throw StatusListError.invalidCredential("credentialSubject.type must be BitstringStatusList")
    }
    let purpose = credential.credentialSubject.statusPurpose
    guard purpose == "revocation" || purpose == "suspension" else {
      throw StatusListError.invalidCredential("statusPurpose \"\(purpose)\" is not revocation or suspension")
    }
    guard let validFrom = JSONCoding.parseTimestamp(credential.validFrom) else {
      throw StatusListError.invalidCredential("validFrom is not an RFC 3339 date-time")
    }
    let seconds = Int64(floor(validFrom.timeIntervalSince1970))
    guard credential.iat == seconds, credential.nbf == seconds, credential.iss == credential.issuer,
      credential.jti == credential.id
    else { throw StatusListError.invalidCredential("iat/nbf/iss/jti disagree with validFrom/issuer/id") }
    if let violation = verified.key.violation(forSignatureAt: validFrom) { throw violation }
    let list = try BitstringStatusList.decode(encodedList: credential.credentialSubject.encodedList, maximumBytes: maximumBytes)
    return VerifiedStatusList(
      url: credential.id, purpose: purpose, list: list, timestamp: validFrom, kid: verified.key.kid)
  }
}
