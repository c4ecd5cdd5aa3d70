/// The outcome of checking one credential token.
public struct CredentialVerification: Sendable, Equatable {
  /// The decoded credential, when the signature and claims were good enough to read it.
  public let decoded: DecodedCredential?
  /// The `kid` from the header, when the token could be parsed.
  public let kid: String?
  /// Everything wrong with it; empty means valid.
  public let problems: [CredentialProblem]

  /// True when there are no problems at all.
  public var isValid: Bool { problems.isEmpty }
}
