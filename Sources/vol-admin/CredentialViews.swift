import ArgumentParser
import Credentials
import Foundation
import SwiftProtobuf
import WireProtocol

// JSON and text views of credentials and key sets, in the conventions of Output.swift:
// snake_case keys, every key present (null when the server sent nothing), instants ISO 8601.

struct CredentialView: Encodable {
  var number: String
  var volunteerNumber: String
  var organisationID: String
  var status: String
  var statusReason: String?
  var statusChangedAt: String?
  var issuedAt: String?
  var issuedBy: String
  var validUntil: String?
  var kid: String
  var starLevel: Int
  var policyID: String
  var policyVersion: Int
  var evidenceDigest: String
  var evidenceRecords: Int
  var token: String

  init(_ credential: Volunteer_V1_Credential) {
    self.number = credential.number
    self.volunteerNumber = credential.volunteerNumber
    self.organisationID = credential.organisationID
    self.status = credential.status.cliName
    self.statusReason = credential.statusReason.isEmpty ? nil : credential.statusReason
    self.statusChangedAt = credential.hasStatusChangedAt ? credential.statusChangedAt.iso8601 : nil
    self.issuedAt = credential.hasIssuedAt ? credential.issuedAt.iso8601 : nil
    self.issuedBy = credential.issuedBy
    self.validUntil = credential.hasValidUntil ? credential.validUntil.iso8601 : nil
    self.kid = credential.kid
    self.starLevel = Int(credential.starLevel)
    self.policyID = credential.policyID
    self.policyVersion = Int(credential.policyVersion)
    self.evidenceDigest = credential.evidenceDigest
    self.evidenceRecords = Int(credential.evidenceRecords)
    self.token = credential.token
  }

  enum CodingKeys: String, CodingKey {
    case number, status, kid, token
    case volunteerNumber = "volunteer_number"
    case organisationID = "organisation_id"
    case statusReason = "status_reason"
    case statusChangedAt = "status_changed_at"
    case issuedAt = "issued_at"
    case issuedBy = "issued_by"
    case validUntil = "valid_until"
    case starLevel = "star_level"
    case policyID = "policy_id"
    case policyVersion = "policy_version"
    case evidenceDigest = "evidence_digest"
    case evidenceRecords = "evidence_records"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.number, forKey: .number)
    try container.encode(self.volunteerNumber, forKey: .volunteerNumber)
    try container.encode(self.organisationID, forKey: .organisationID)
    try container.encode(self.status, forKey: .status)
    try container.encode(self.statusReason, forKey: .statusReason)
    try container.encode(self.statusChangedAt, forKey: .statusChangedAt)
    try container.encode(self.issuedAt, forKey: .issuedAt)
    try container.encode(self.issuedBy, forKey: .issuedBy)
    try container.encode(self.validUntil, forKey: .validUntil)
    try container.encode(self.kid, forKey: .kid)
    try container.encode(self.starLevel, forKey: .starLevel)
    try container.encode(self.policyID, forKey: .policyID)
    try container.encode(self.policyVersion, forKey: .policyVersion)
    try container.encode(self.evidenceDigest, forKey: .evidenceDigest)
    try container.encode(self.evidenceRecords, forKey: .evidenceRecords)
    try container.encode(self.token, forKey: .token)
  }

  /// Aligned "key: value" lines; the token itself is left out (`show --token` prints it).
  var lines: [(String, String)] {
    var lines: [(String, String)] = [
      ("number", self.number),
      ("volunteer", self.volunteerNumber),
      ("organisation", self.organisationID),
      ("status", self.status),
    ]
    if self.statusReason != nil || self.statusChangedAt != nil {
      lines.append(("status reason", self.statusReason ?? ""))
      lines.append(("status changed at", Output.humanTime(self.statusChangedAt)))
    }
    lines += [
      ("star level", String(repeating: "★", count: self.starLevel) + " (\(self.starLevel))"),
      ("policy", "\(self.policyID) v\(self.policyVersion)"),
      ("evidence digest", self.evidenceDigest),
      ("evidence records", String(self.evidenceRecords)),
      ("issued at", Output.humanTime(self.issuedAt)),
      ("issued by", self.issuedBy),
      ("valid until", Output.humanTime(self.validUntil)),
      ("key id", self.kid),
      ("token", self.token.isEmpty ? "" : "\(self.token.utf8.count) bytes (--token prints it)"),
    ]
    return lines
  }
}

struct TokenVerificationView: Encodable {
  var valid: Bool
  var problems: [String]
  var number: String?
  var status: String?
  var kid: String?

  init(_ response: Volunteer_V1_VerifyCredentialResponse) {
    self.valid = response.valid
    self.problems = response.problems.map(ConnectionOptions.oneLine)
    self.number = response.number.isEmpty ? nil : response.number
    self.status = response.status == .unspecified ? nil : response.status.cliName
    self.kid = response.kid.isEmpty ? nil : response.kid
  }

  enum CodingKeys: String, CodingKey {
    case valid, problems, number, status, kid
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.valid, forKey: .valid)
    try container.encode(self.problems, forKey: .problems)
    try container.encode(self.number, forKey: .number)
    try container.encode(self.status, forKey: .status)
    try container.encode(self.kid, forKey: .kid)
  }
}

/// One key of a published key set, with its lifecycle.
struct KeyView: Encodable {
  var kid: String
  var status: String
  var signing: Bool
  var created: String?
  var activated: String?
  var retired: String?
  var revoked: String?

  init(_ key: PublicJWK, signingKID: String, now: Date) {
    self.kid = key.kid
    // The published status; the dates decide when the server sent none.
    self.status = (key.status ?? key.status(at: now)).rawValue
    self.signing = key.kid == signingKID
    self.created = key.created.map(Self.instant)
    self.activated = key.activated.map(Self.instant)
    self.retired = key.retired.map(Self.instant)
    self.revoked = key.revoked.map(Self.instant)
  }

  static func instant(_ date: Date) -> String {
    Google_Protobuf_Timestamp(date: date).iso8601
  }

  enum CodingKeys: String, CodingKey {
    case kid, status, signing, created, activated, retired, revoked
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.kid, forKey: .kid)
    try container.encode(self.status, forKey: .status)
    try container.encode(self.signing, forKey: .signing)
    try container.encode(self.created, forKey: .created)
    try container.encode(self.activated, forKey: .activated)
    try container.encode(self.retired, forKey: .retired)
    try container.encode(self.revoked, forKey: .revoked)
  }
}

struct KeySetView: Encodable {
  var signingKID: String?
  var keys: [KeyView]

  /// Parses the key set the server sent. A document that is not a valid JWKS of Ed25519 keys
  /// whose `kid` is their thumbprint is reported on standard error and exits 1.
  init(_ keySet: Volunteer_V1_KeySet) throws {
    let parsed: JWKSet
    do {
      parsed = try JWKSet.decode(keySet.jwksJson)
    } catch {
      Console.error(
        "error: the service sent a key set that does not parse: "
          + ConnectionOptions.oneLine(error.description))
      throw ExitCode(ExitStatus.serverError)
    }
    let now = Date()
    self.signingKID = keySet.signingKid.isEmpty ? nil : keySet.signingKid
    self.keys = parsed.keys.map { KeyView($0, signingKID: keySet.signingKid, now: now) }
  }

  enum CodingKeys: String, CodingKey {
    case keys
    case signingKID = "signing_kid"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.signingKID, forKey: .signingKID)
    try container.encode(self.keys, forKey: .keys)
  }

  /// The key set as JSON, or a table (oldest key first, the signing key marked) followed by
  /// the signing kid.
  func print(json: Bool) throws {
    if json {
      try Output.json(self)
      return
    }
    Output.table(
      header: ["KID", "STATUS", "SIGNING", "CREATED", "ACTIVATED", "RETIRED", "REVOKED"],
      rows: self.keys.map {
        [
          $0.kid, $0.status, $0.signing ? "*" : "", Output.humanTime($0.created),
          Output.humanTime($0.activated), Output.humanTime($0.retired), Output.humanTime($0.revoked),
        ]
      })
    Console.out("")
    Output.keyValues([
      ("keys", String(self.keys.count)),
      ("signing key", self.signingKID ?? "none"),
    ])
  }
}
