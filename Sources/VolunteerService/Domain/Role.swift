/// What a principal may do. Scope (which part of the organisation tree) is separate.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
  /// Manages the organisation tree, principals, hours and credentials.
  case admin
  /// A partner system: registers volunteers and writes hours inside its scope.
  case partner
  /// Reads and exports inside its scope; never writes.
  case auditor
}
