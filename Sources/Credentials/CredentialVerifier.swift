import Foundation

/// The complete check of one credential token, shared by `VerifyCredential` on the server and
/// the offline bundle verifier.
///
/// Order: parse and signature (key found by `kid` in the key set) → `typ` → claims → key
/// status at the issue time (`iat`) → validity window at `now` → revocation and suspension
/// bits. Signature and parse failures stop the check; later problems are all collected.
public enum CredentialVerifier {
  /// Verifies `token`.
  ///
  /// - Parameters:
  ///   - keySet: the published JWKS, including retired and compromised keys.
  ///   - statusLists: verified status list snapshots by URL; pass nil to skip status checks
  ///     (e.g. when only the signature matters).
  ///   - now: the time validity is judged at; pass nil to skip the `validFrom`/`validUntil` window.
  public static func verify(
    _ token: String,
    keySet: JWKSet,
    statusLists: [String: VerifiedStatusList]?,
    now: Date?
  ) -> CredentialVerification {
    let verified: VerifiedJWS
    do {
      verified = try CompactJWS.verify(token, keySet: keySet)
    } catch {
      let kid = (try? CompactJWS.parse(token))?.header.kid
      return CredentialVerification(decoded: nil, kid: kid, problems: [.signature(error)])
    }
    var problems: [CredentialProblem] = []
    let kid = verified.key.kid
    if verified.jws.header.typ != JOSEHeader.verifiableCredentialType {
      problems.append(.wrongMediaType(verified.jws.header.typ))
    }
    let decoded: DecodedCredential
    do {
      decoded = try CredentialDecoder.decode(verified.jws.payload)
    } catch {
      return CredentialVerification(decoded: nil, kid: kid, problems: problems + [.claims(error)])
    }
    let claims = decoded.claims
    if let violation = verified.key.violation(forSignatureAt: claims.issuedAt) {
      problems.append(.keyUse(violation))
    }
    if let now {
      if now < claims.issuedAt { problems.append(.notYetValid(validFrom: claims.issuedAt)) }
      if let validUntil = claims.validUntil, now >= validUntil { problems.append(.expired(validUntil: validUntil)) }
    }
    if let statusLists {
      for (purpose, reference) in [("revocation", claims.revocation), ("suspension", claims.suspension)] {
        guard let snapshot = statusLists[reference.listURL], snapshot.purpose == purpose,
          let isSet = try? snapshot.list.get(reference.index)
        else {
          problems.append(.statusUnavailable(purpose: purpose, url: reference.listURL))
          continue
        }
        if isSet {
          problems.append(purpose == "revocation" ? .revoked(index: reference.index) : .suspended(index: reference.index))
        }
      }
    }
    return CredentialVerification(decoded: decoded, kid: kid, problems: problems)
  }
}
