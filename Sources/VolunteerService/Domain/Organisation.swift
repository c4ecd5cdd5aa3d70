import Foundation

/// A node of the organisation tree: national committee, province, city, county,
/// grassroots branch, or a school, enterprise, alliance or NGO hanging in the tree.
public struct Organisation: Sendable, Hashable {
  /// Kinds of organisation.
  public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
    case national, province, city, county, grassroots, school, enterprise, alliance, ngo
  }

  public var id: String
  /// `nil` only for the root.
  public var parentID: String?
  public var kind: Kind
  public var name: String
  /// GB/T 2260 administrative region code (6 digits).
  public var regionCode: String
  /// Materialised path of ids from the root, `/root/child/…/self/`: a subtree is every
  /// organisation whose path starts with the subtree root's path.
  public var path: String
  public var createdAt: Date

  /// Creates an organisation.
  public init(
    id: String, parentID: String?, kind: Kind, name: String, regionCode: String, path: String,
    createdAt: Date = Date()
  ) {
    self.id = id
    self.parentID = parentID
    self.kind = kind
    self.name = name
    self.regionCode = regionCode
    self.path = path
    self.createdAt = createdAt
  }

  /// Number of ancestors: 0 for the root.
  public var depth: Int {
    max(0, self.path.split(separator: "/").count - 1)
  }

  /// Checks an organisation id: 1-64 lower-case ASCII letters, digits and "-", so it can
  /// sit in a materialised path and a URL without escaping.
  public static func validateID(_ id: String, field: String = "id") throws(IdentityValidationError) {
    guard (1...64).contains(id.utf8.count),
      id.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D })
    else {
      throw IdentityValidationError(
        field: field,
        reason: "an organisation id is 1-64 characters from a-z, 0-9 and \"-\", got \"\(id)\"")
    }
  }

  /// The root of the tree, as configured.
  public static func root(id: String, name: String, regionCode: String) -> Organisation {
    Organisation(
      id: id, parentID: nil, kind: .national, name: name, regionCode: regionCode,
      path: "/\(id)/")
  }

  /// Whether this organisation lies in the subtree rooted at `scope`.
  public func isWithin(_ scope: Organisation) -> Bool {
    self.path.hasPrefix(scope.path)
  }

  /// Checks a GB/T 2260 region code: six ASCII digits with a well-formed province prefix.
  /// Codes change over the years, so a well-formed unknown code is accepted.
  public static func validateRegionCode(_ code: String) throws(IdentityValidationError) {
    guard code.utf8.count == 6, code.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
      throw IdentityValidationError(
        field: "region_code", reason: "a region code is 6 digits (GB/T 2260), got \"\(code)\"")
    }
    guard code == "100000" || (11...91).contains(Int(code.prefix(2)) ?? 0) else {
      throw IdentityValidationError(
        field: "region_code",
        reason: "\(code) does not start with a province-level prefix (11-91) and is not the "
          + "national code 100000")
    }
  }
}
