/// One credential in a bundle that did not verify.
public struct CredentialFailure: Sendable, Equatable, CustomStringConvertible {
  /// 1-based line in `credentials.jsonl`.
  public let line: Int
  /// The credential number from the line's metadata.
  public let number: String
  /// Why it failed.
  public let problems: [CredentialProblem]

  /// True if the token is genuine and only its status (revoked/suspended) failed.
  public var isStatusOnly: Bool { problems.allSatisfy(\.isStatus) }

  /// `number (line n): reason; reason`.
  public var description: String {
    "\(number) (line \(line)): " + problems.map(\.description).joined(separator: "; ")
  }
}
