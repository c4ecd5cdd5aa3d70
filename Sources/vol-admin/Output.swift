import Foundation
import SwiftProtobuf
import WireProtocol

// MARK: JSON views
//
// Stable snake_case keys; every key is always present (null when the server sent nothing);
// enum values spelled as on the command line; dates `YYYY-MM-DD`, instants ISO 8601 in UTC.

struct PrincipalView: Encodable {
  var id: String
  var role: String
  var scopeOrganisationID: String
  var displayName: String
  var enabled: Bool
  var createdAt: String?
  var createdBy: String

  init(_ principal: Volunteer_V1_Principal) {
    self.id = principal.id
    self.role = principal.role.cliName
    self.scopeOrganisationID = principal.scopeOrganisationID
    self.displayName = principal.displayName
    self.enabled = principal.enabled
    self.createdAt = principal.hasCreatedAt ? principal.createdAt.iso8601 : nil
    self.createdBy = principal.createdBy
  }

  enum CodingKeys: String, CodingKey {
    case id, role, enabled
    case scopeOrganisationID = "scope_organisation_id"
    case displayName = "display_name"
    case createdAt = "created_at"
    case createdBy = "created_by"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.id, forKey: .id)
    try container.encode(self.role, forKey: .role)
    try container.encode(self.scopeOrganisationID, forKey: .scopeOrganisationID)
    try container.encode(self.displayName, forKey: .displayName)
    try container.encode(self.enabled, forKey: .enabled)
    try container.encode(self.createdAt, forKey: .createdAt)
    try container.encode(self.createdBy, forKey: .createdBy)
  }

  /// Aligned "key: value" lines.
  var lines: [(String, String)] {
    [
      ("id", self.id),
      ("role", self.role),
      ("scope", self.scopeOrganisationID),
      ("display name", self.displayName),
      ("enabled", self.enabled ? "yes" : "no"),
      ("created at", Output.humanTime(self.createdAt)),
      ("created by", self.createdBy),
    ]
  }
}

struct OrganisationView: Encodable {
  var id: String
  var parentID: String?
  var kind: String
  var name: String
  var regionCode: String
  var depth: Int
  var createdAt: String?

  init(_ organisation: Volunteer_V1_Organisation) {
    self.id = organisation.id
    self.parentID = organisation.parentID.isEmpty ? nil : organisation.parentID
    self.kind = organisation.kind.cliName
    self.name = organisation.name
    self.regionCode = organisation.regionCode
    self.depth = Int(organisation.depth)
    self.createdAt = organisation.hasCreatedAt ? organisation.createdAt.iso8601 : nil
  }

  enum CodingKeys: String, CodingKey {
    case id, kind, name, depth
    case parentID = "parent_id"
    case regionCode = "region_code"
    case createdAt = "created_at"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.id, forKey: .id)
    try container.encode(self.parentID, forKey: .parentID)
    try container.encode(self.kind, forKey: .kind)
    try container.encode(self.name, forKey: .name)
    try container.encode(self.regionCode, forKey: .regionCode)
    try container.encode(self.depth, forKey: .depth)
    try container.encode(self.createdAt, forKey: .createdAt)
  }

  /// Aligned "key: value" lines.
  var lines: [(String, String)] {
    [
      ("id", self.id),
      ("parent", self.parentID ?? ""),
      ("kind", self.kind),
      ("name", self.name),
      ("region code", self.regionCode),
      ("depth", String(self.depth)),
      ("created at", Output.humanTime(self.createdAt)),
    ]
  }
}

struct HealthView: Encodable {
  var status: String
  var serverVersion: String
  var store: String
  var serverTime: String?
  var caller: PrincipalView?

  init(_ response: Volunteer_V1_HealthCheckResponse) {
    switch response.status {
    case .serving: self.status = "serving"
    case .notServing: self.status = "not_serving"
    case .unspecified: self.status = "unspecified"
    case .UNRECOGNIZED(let value): self.status = "unrecognized(\(value))"
    }
    self.serverVersion = response.serverVersion
    self.store = response.store
    self.serverTime = response.hasServerTime ? response.serverTime.iso8601 : nil
    self.caller = response.hasCaller ? PrincipalView(response.caller) : nil
  }

  enum CodingKeys: String, CodingKey {
    case status, store, caller
    case serverVersion = "server_version"
    case serverTime = "server_time"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.status, forKey: .status)
    try container.encode(self.serverVersion, forKey: .serverVersion)
    try container.encode(self.store, forKey: .store)
    try container.encode(self.serverTime, forKey: .serverTime)
    try container.encode(self.caller, forKey: .caller)
  }

  var lines: [(String, String)] {
    [
      ("status", self.status.replacingOccurrences(of: "_", with: " ")),
      ("server version", self.serverVersion),
      ("store", self.store),
      ("server time", Output.humanTime(self.serverTime)),
      ("caller", self.caller?.id ?? ""),
      ("caller role", self.caller?.role ?? ""),
      ("caller scope", self.caller?.scopeOrganisationID ?? ""),
    ]
  }
}

struct GuardianConsentView: Encodable {
  var guardianName: String
  var relation: String
  var consentDate: String?

  init(_ consent: Volunteer_V1_GuardianConsent) {
    self.guardianName = consent.guardianName
    self.relation = consent.relation
    self.consentDate = consent.hasConsentDate ? consent.consentDate.text : nil
  }

  enum CodingKeys: String, CodingKey {
    case relation
    case guardianName = "guardian_name"
    case consentDate = "consent_date"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.guardianName, forKey: .guardianName)
    try container.encode(self.relation, forKey: .relation)
    try container.encode(self.consentDate, forKey: .consentDate)
  }
}

struct VolunteerView: Encodable {
  var volunteerNumber: String
  var realName: String
  var documentType: String
  var documentNumber: String
  var birthDate: String?
  var sex: String?
  var phone: String?
  var organisationID: String
  var guardianConsent: GuardianConsentView?
  var registeredAt: String?
  var registeredBy: String
  var skills: [String]
  var withdrawnAt: String?
  var transfers: [TransferView]

  init(_ volunteer: Volunteer_V1_Volunteer) {
    self.volunteerNumber = volunteer.volunteerNumber
    self.realName = volunteer.realName
    self.documentType = volunteer.documentType.cliName
    self.documentNumber = volunteer.documentNumber
    self.birthDate = volunteer.hasBirthDate ? volunteer.birthDate.text : nil
    self.sex = volunteer.sex.cliName
    self.phone = volunteer.phone.isEmpty ? nil : volunteer.phone
    self.organisationID = volunteer.organisationID
    self.guardianConsent =
      volunteer.hasGuardianConsent ? GuardianConsentView(volunteer.guardianConsent) : nil
    self.registeredAt = volunteer.hasRegisteredAt ? volunteer.registeredAt.iso8601 : nil
    self.registeredBy = volunteer.registeredBy
    self.skills = volunteer.skills
    self.withdrawnAt = volunteer.hasWithdrawnAt ? volunteer.withdrawnAt.iso8601 : nil
    self.transfers = volunteer.transfers.map(TransferView.init)
  }

  enum CodingKeys: String, CodingKey {
    case sex, phone
    case volunteerNumber = "volunteer_number"
    case realName = "real_name"
    case documentType = "document_type"
    case documentNumber = "document_number"
    case birthDate = "birth_date"
    case organisationID = "organisation_id"
    case guardianConsent = "guardian_consent"
    case registeredAt = "registered_at"
    case registeredBy = "registered_by"
    case skills
    case withdrawnAt = "withdrawn_at"
    case transfers
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.volunteerNumber, forKey: .volunteerNumber)
    try container.encode(self.realName, forKey: .realName)
    try container.encode(self.documentType, forKey: .documentType)
    try container.encode(self.documentNumber, forKey: .documentNumber)
    try container.encode(self.birthDate, forKey: .birthDate)
    try container.encode(self.sex, forKey: .sex)
    try container.encode(self.phone, forKey: .phone)
    try container.encode(self.organisationID, forKey: .organisationID)
    try container.encode(self.guardianConsent, forKey: .guardianConsent)
    try container.encode(self.registeredAt, forKey: .registeredAt)
    try container.encode(self.registeredBy, forKey: .registeredBy)
    try container.encode(self.skills, forKey: .skills)
    try container.encode(self.withdrawnAt, forKey: .withdrawnAt)
    try container.encode(self.transfers, forKey: .transfers)
  }

  var lines: [(String, String)] {
    var guardian = ""
    if let consent = self.guardianConsent {
      guardian = consent.guardianName
      if !consent.relation.isEmpty { guardian += " (\(consent.relation))" }
      if let date = consent.consentDate { guardian += ", consent given \(date)" }
    }
    return [
      ("volunteer number", self.volunteerNumber),
      ("real name", self.realName),
      ("document type", self.documentType),
      ("document number", self.documentNumber),
      ("birth date", self.birthDate ?? ""),
      ("sex", self.sex ?? ""),
      ("phone", self.phone ?? ""),
      ("organisation", self.organisationID),
      ("guardian consent", guardian),
      ("registered at", Output.humanTime(self.registeredAt)),
      ("registered by", self.registeredBy),
      ("skills", self.skills.joined(separator: "; ")),
      ("withdrawn at", Output.humanTime(self.withdrawnAt)),
    ]
      + self.transfers.map { transfer in
        (
          "transfer",
          "\(Output.humanTime(transfer.transferredAt)) \(transfer.fromOrganisationID) → "
            + "\(transfer.toOrganisationID) by \(transfer.transferredBy): \(transfer.reason)"
        )
      }
  }
}

struct TransferView: Encodable {
  var fromOrganisationID: String
  var toOrganisationID: String
  var transferredAt: String?
  var transferredBy: String
  var reason: String

  init(_ transfer: Volunteer_V1_Transfer) {
    self.fromOrganisationID = transfer.fromOrganisationID
    self.toOrganisationID = transfer.toOrganisationID
    self.transferredAt = transfer.hasTransferredAt ? transfer.transferredAt.iso8601 : nil
    self.transferredBy = transfer.transferredBy
    self.reason = transfer.reason
  }

  enum CodingKeys: String, CodingKey {
    case reason
    case fromOrganisationID = "from_organisation_id"
    case toOrganisationID = "to_organisation_id"
    case transferredAt = "transferred_at"
    case transferredBy = "transferred_by"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.fromOrganisationID, forKey: .fromOrganisationID)
    try container.encode(self.toOrganisationID, forKey: .toOrganisationID)
    try container.encode(self.transferredAt, forKey: .transferredAt)
    try container.encode(self.transferredBy, forKey: .transferredBy)
    try container.encode(self.reason, forKey: .reason)
  }
}

// MARK: Printing

enum Output {
  /// Prints `value` as JSON: keys sorted, so the output is stable.
  static func json(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    Console.out(String(decoding: data, as: UTF8.self))
  }

  /// An ISO 8601 instant cut to whole seconds for people (JSON keeps the full precision).
  static func humanTime(_ iso8601: String?) -> String {
    guard let iso8601, let dot = iso8601.firstIndex(of: "."), iso8601.hasSuffix("Z") else {
      return iso8601 ?? ""
    }
    return String(iso8601[..<dot]) + "Z"
  }

  /// Prints "key: value" lines with the values aligned; an empty value shows as "-".
  static func keyValues(_ lines: [(String, String)]) {
    let width = lines.map { $0.0.count }.max() ?? 0
    for (key, value) in lines {
      let label = key + ":" + String(repeating: " ", count: width - key.count)
      Console.out("\(label)  \(value.isEmpty ? "-" : value)")
    }
  }

  /// Prints a table with a header row; columns are padded to their display width (CJK
  /// characters count two), an empty cell shows as "-".
  static func table(header: [String], rows: [[String]]) {
    let cells = [header] + rows.map { $0.map { $0.isEmpty ? "-" : ConnectionOptions.oneLine($0) } }
    var widths = Array(repeating: 0, count: header.count)
    for row in cells {
      for (index, cell) in row.enumerated() where index < widths.count {
        widths[index] = max(widths[index], displayWidth(cell))
      }
    }
    for row in cells {
      var line = ""
      for (index, cell) in row.enumerated() {
        if index == row.count - 1 {
          line += cell
        } else {
          line += cell + String(repeating: " ", count: widths[index] - displayWidth(cell) + 2)
        }
      }
      Console.out(line)
    }
  }

  /// Terminal columns taken by `text`: East Asian wide and full-width characters take two.
  static func displayWidth(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { width, scalar in
      switch scalar.value {
      case 0x0300...0x036F, 0x200B...0x200F: width
      case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
        0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
        width + 2
      default: width + 1
      }
    }
  }
}

extension Google_Protobuf_Timestamp {
  /// ISO 8601 / RFC 3339 in UTC, e.g. `2026-03-01T08:00:00Z`, with 3, 6 or 9 fractional
  /// digits when the instant has them.
  var iso8601: String {
    let nanos = Int64(max(0, min(self.nanos, 999_999_999)))
    let days = self.seconds >= 0 ? self.seconds / 86_400 : (self.seconds - 86_399) / 86_400
    let secondOfDay = self.seconds - days * 86_400
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

    func pad(_ value: Int64, _ width: Int) -> String { CalendarDate.pad(Int(value), width) }
    var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
      + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
    if nanos != 0 {
      if nanos % 1_000_000 == 0 {
        text += "." + pad(nanos / 1_000_000, 3)
      } else if nanos % 1000 == 0 {
        text += "." + pad(nanos / 1000, 6)
      } else {
        text += "." + pad(nanos, 9)
      }
    }
    return text + "Z"
  }
}
