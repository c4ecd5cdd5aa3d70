/// A credential payload that passed ``CredentialDecoder`` checks, in both its wire shape and
/// as the plain claims it states.
public struct DecodedCredential: Sendable, Equatable {
  /// The payload as sent.
  public let credential: AchievementCredential
  /// The same facts as plain values (credential number, volunteer, evaluation, evidence, status).
  public let claims: CredentialClaims
}
