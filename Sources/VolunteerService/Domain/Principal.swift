import Foundation

/// An authenticated caller: a client-certificate identity bound to a role and to the
/// organisation subtree it may act in.
public struct Principal: Sendable, Hashable, Codable {
  /// The certificate identity (URI SAN such as `spiffe://volunteer/partner/x`, else CN).
  public var id: String
  public var role: Role
  /// Root of the organisation subtree the principal may act in.
  public var scopeOrganisationID: String
  public var displayName: String
  /// Disabled principals are refused on their next call, also on open connections.
  public var isEnabled: Bool
  public var createdAt: Date
  /// The principal that added this one (`"bootstrap"` for the configured admin).
  public var createdBy: String

  /// Creates a principal.
  public init(
    id: String, role: Role, scopeOrganisationID: String, displayName: String,
    isEnabled: Bool = true, createdAt: Date, createdBy: String
  ) {
    self.id = id
    self.role = role
    self.scopeOrganisationID = scopeOrganisationID
    self.displayName = displayName
    self.isEnabled = isEnabled
    self.createdAt = createdAt
    self.createdBy = createdBy
  }

  /// Checks the form of a principal id: a URI or a certificate CN, printable, ≤ 255 bytes.
  public static func validateID(_ id: String) throws(IdentityValidationError) {
    guard !id.isEmpty, id.utf8.count <= 255,
      id.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
    else {
      throw IdentityValidationError(
        field: "id",
        reason: "a principal id is the client certificate's URI SAN (e.g. "
          + "spiffe://volunteer/partner/NAME) or CN: 1-255 printable characters")
    }
  }
}
