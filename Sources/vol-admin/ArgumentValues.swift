import ArgumentParser
import Foundation
import WireProtocol

/// `--document-type` values.
enum DocumentTypeArgument: String, CaseIterable, ExpressibleByArgument {
  case residentID = "resident-id"
  case passport
  case hkMacaoPermit = "hk-macao-permit"
  case taiwanPermit = "taiwan-permit"
  case foreignPermanentResidence = "foreign-permanent-residence"

  var proto: Volunteer_V1_DocumentType {
    switch self {
    case .residentID: .residentID
    case .passport: .passport
    case .hkMacaoPermit: .hkMacaoPermit
    case .taiwanPermit: .taiwanPermit
    case .foreignPermanentResidence: .foreignPermanentResidence
    }
  }

  /// How the document is named in messages.
  var phrase: String {
    switch self {
    case .residentID: "a resident ID"
    case .passport: "a passport"
    case .hkMacaoPermit: "a Hong Kong/Macao permit"
    case .taiwanPermit: "a Taiwan permit"
    case .foreignPermanentResidence: "a foreign permanent residence card"
    }
  }
}

/// `--sex` values.
enum SexArgument: String, CaseIterable, ExpressibleByArgument {
  case male
  case female

  var proto: Volunteer_V1_Sex {
    switch self {
    case .male: .male
    case .female: .female
    }
  }
}

/// `--role` values.
enum RoleArgument: String, CaseIterable, ExpressibleByArgument {
  case admin
  case partner
  case auditor

  var proto: Volunteer_V1_Role {
    switch self {
    case .admin: .admin
    case .partner: .partner
    case .auditor: .auditor
    }
  }
}

/// `--kind` values of `org create` (there is one national organisation, the root).
enum OrganisationKindArgument: String, CaseIterable, ExpressibleByArgument {
  case province
  case city
  case county
  case grassroots
  case school
  case enterprise
  case alliance
  case ngo

  var proto: Volunteer_V1_OrganisationKind {
    switch self {
    case .province: .province
    case .city: .city
    case .county: .county
    case .grassroots: .grassroots
    case .school: .school
    case .enterprise: .enterprise
    case .alliance: .alliance
    case .ngo: .ngo
    }
  }
}

/// Organisation ids and region codes, checked before sending so that a typo is caught
/// locally. The server applies the same rules (and a few more) and has the last word.
enum OrganisationArguments {
  /// The id trimmed, if it is 1-64 characters from a-z, 0-9 and "-"; else a message naming
  /// `what` (e.g. `<id>` or `--parent`).
  static func id(_ raw: String, _ what: String) throws -> String {
    let id = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    guard (1...64).contains(id.utf8.count),
      id.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D })
    else {
      throw ValidationError(
        "\(what) must be an organisation id: 1-64 characters from a-z, 0-9 and \"-\", "
          + "e.g. org-beijing (got '\(raw)').")
    }
    return id
  }

  /// The code trimmed, if it is 6 ASCII digits.
  static func regionCode(_ raw: String) throws -> String {
    let code = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    guard code.utf8.count == 6, code.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
      throw ValidationError(
        "--region must be a GB/T 2260 region code of 6 digits, e.g. 110000 for Beijing "
          + "(got '\(raw)').")
    }
    return code
  }
}

/// A principal id given as an argument: a certificate identity without spaces.
enum PrincipalArguments {
  static func id(_ raw: String) throws -> String {
    let id = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !id.isEmpty, !id.contains(where: \.isWhitespace) else {
      throw ValidationError(
        "<id> must be a certificate identity without spaces, such as "
          + "spiffe://volunteer/partner/beijing-platform (a URI SAN) or a subject CN.")
    }
    return id
  }
}

/// A calendar date given as YYYY-MM-DD.
struct CalendarDate: Hashable, Comparable, CustomStringConvertible, Sendable {
  var year: Int
  var month: Int
  var day: Int

  /// Validates the parts; nil unless they name a real proleptic Gregorian date.
  init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month),
      (1...Self.daysIn(month: month, year: year)).contains(day)
    else { return nil }
    self.year = year
    self.month = month
    self.day = day
  }

  struct ParseError: Error, CustomStringConvertible {
    var description: String
  }

  /// Parses `YYYY-MM-DD` strictly, explaining what is wrong.
  static func parse(_ text: String) throws -> CalendarDate {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
    else {
      throw ParseError(description: "expected a date as YYYY-MM-DD, e.g. 2008-05-17")
    }
    guard let date = CalendarDate(year: year, month: month, day: day) else {
      throw ParseError(description: "\(text) is not a real calendar date (expected YYYY-MM-DD)")
    }
    return date
  }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Today in Asia/Shanghai, the service's default record time zone.
  static var todayInShanghai: CalendarDate {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!
    let parts = calendar.dateComponents([.year, .month, .day], from: Date())
    return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)!
  }

  var description: String {
    Self.pad(self.year, 4) + "-" + Self.pad(self.month, 2) + "-" + Self.pad(self.day, 2)
  }

  static func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }

  static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }

  var proto: Volunteer_V1_Date {
    var date = Volunteer_V1_Date()
    date.year = Int32(self.year)
    date.month = Int32(self.month)
    date.day = Int32(self.day)
    return date
  }
}

/// The mainland resident identity number (GB 11643-1999), checked before sending so that a
/// typo is caught locally. The server applies the same rules and has the last word.
struct ResidentIDNumber {
  /// The number with a lower-case `x` normalised to `X`.
  var normalized: String
  var birthDate: CalendarDate
  var sex: SexArgument

  private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  private static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

  /// Province-level prefixes of GB/T 2260 region codes (plus 71 Taiwan, 81/82 Hong
  /// Kong/Macao, 91 abroad), as the service checks them.
  private static let provincePrefixes: Set<Int> = Set(
    Array(11...15) + Array(21...23) + Array(31...37) + Array(41...46) + Array(50...54)
      + Array(61...65) + [71, 81, 82, 91])

  /// Checks the structure and the check character; throws a message naming the problem.
  /// `label` names the input in messages: `--document` on the command line, a CSV column
  /// in an import.
  init(validating raw: String, label: String = "--document") throws {
    let number = raw.uppercased()
    let characters = Array(number)
    guard characters.count == 18 else {
      throw ValidationError(
        "\(label): a resident ID has 18 characters (17 digits and a check character 0-9 or X), "
          + "got \(characters.count).")
    }
    let digits = characters.prefix(17).compactMap { $0.isASCII ? $0.wholeNumberValue : nil }
    guard digits.count == 17, characters[17].isASCII,
      characters[17].isNumber || characters[17] == "X"
    else {
      throw ValidationError(
        "\(label): a resident ID is 17 digits followed by a digit or X, got '\(raw)'.")
    }
    guard Self.provincePrefixes.contains(digits[0] * 10 + digits[1]) else {
      throw ValidationError(
        "\(label): a resident ID starts with a province-level region code (11-15, 21-23, "
          + "31-37, 41-46, 50-54, 61-65, 71, 81, 82 or 91), not \(digits[0])\(digits[1]).")
    }
    let sum = zip(digits, Self.weights).reduce(0) { $0 + $1.0 * $1.1 }
    let expected = Self.checkCharacters[sum % 11]
    guard characters[17] == expected else {
      throw ValidationError(
        "\(label): the check character of resident ID '\(raw)' does not match its digits "
          + "(expected \(expected) for these 17 digits): check the number for a typo.")
    }
    let dateText = String(characters[6..<14])
    let number8 = digits[6..<14].reduce(0) { $0 * 10 + $1 }
    guard
      let birthDate = CalendarDate(
        year: number8 / 10_000, month: number8 / 100 % 100, day: number8 % 100)
    else {
      throw ValidationError(
        "\(label): characters 7-14 of a resident ID are the birth date YYYYMMDD; "
          + "\(dateText) is not a real date.")
    }
    guard birthDate.year >= 1900 else {
      throw ValidationError(
        "\(label): the birth date in a resident ID (characters 7-14) is \(dateText), "
          + "before 1900.")
    }
    self.normalized = number
    self.birthDate = birthDate
    self.sex = digits[16] % 2 == 1 ? .male : .female
  }
}

extension Volunteer_V1_DocumentType {
  var cliName: String {
    switch self {
    case .unspecified: "unspecified"
    case .residentID: DocumentTypeArgument.residentID.rawValue
    case .passport: DocumentTypeArgument.passport.rawValue
    case .hkMacaoPermit: DocumentTypeArgument.hkMacaoPermit.rawValue
    case .taiwanPermit: DocumentTypeArgument.taiwanPermit.rawValue
    case .foreignPermanentResidence: DocumentTypeArgument.foreignPermanentResidence.rawValue
    case .UNRECOGNIZED(let value): "unrecognized(\(value))"
    }
  }
}

extension Volunteer_V1_Sex {
  /// nil when unspecified.
  var cliName: String? {
    switch self {
    case .unspecified: nil
    case .male: SexArgument.male.rawValue
    case .female: SexArgument.female.rawValue
    case .UNRECOGNIZED(let value): "unrecognized(\(value))"
    }
  }
}

extension Volunteer_V1_Role {
  var cliName: String {
    switch self {
    case .unspecified: "unspecified"
    case .admin: RoleArgument.admin.rawValue
    case .partner: RoleArgument.partner.rawValue
    case .auditor: RoleArgument.auditor.rawValue
    case .UNRECOGNIZED(let value): "unrecognized(\(value))"
    }
  }
}

extension Volunteer_V1_OrganisationKind {
  var cliName: String {
    switch self {
    case .unspecified: "unspecified"
    case .national: "national"
    case .province: OrganisationKindArgument.province.rawValue
    case .city: OrganisationKindArgument.city.rawValue
    case .county: OrganisationKindArgument.county.rawValue
    case .grassroots: OrganisationKindArgument.grassroots.rawValue
    case .school: OrganisationKindArgument.school.rawValue
    case .enterprise: OrganisationKindArgument.enterprise.rawValue
    case .alliance: OrganisationKindArgument.alliance.rawValue
    case .ngo: OrganisationKindArgument.ngo.rawValue
    case .UNRECOGNIZED(let value): "unrecognized(\(value))"
    }
  }
}

extension Volunteer_V1_Date {
  /// `YYYY-MM-DD`, also for out-of-range parts (shown as sent).
  var text: String {
    CalendarDate.pad(Int(self.year), 4) + "-" + CalendarDate.pad(Int(self.month), 2) + "-"
      + CalendarDate.pad(Int(self.day), 2)
  }
}

/// `--category` values of `activity create`: the ten DOMAIN categories, spelled as the
/// service spells them.
enum ActivityCategoryArgument: String, CaseIterable, ExpressibleByArgument {
  case communityService = "community-service"
  case elderlyCare = "elderly-care"
  case education
  case environment
  case emergencyRelief = "emergency-relief"
  case largeEvents = "large-events"
  case culture
  case health
  case povertyRelief = "poverty-relief"
  case other

  var proto: Volunteer_V1_ActivityCategory {
    switch self {
    case .communityService: .communityService
    case .elderlyCare: .elderlyCare
    case .education: .education
    case .environment: .environment
    case .emergencyRelief: .emergencyRelief
    case .largeEvents: .largeEvents
    case .culture: .culture
    case .health: .health
    case .povertyRelief: .povertyRelief
    case .other: .other
    }
  }
}

/// `--override` values of `hours approve`: who takes responsibility for a day over the cap.
enum CapOverrideArgument: String, CaseIterable, ExpressibleByArgument {
  case verifyingOrganisation = "verifying-organisation"
  case provinceLevel = "province-level"

  var proto: Volunteer_V1_CapOverride {
    switch self {
    case .verifyingOrganisation: .verifyingOrganisation
    case .provinceLevel: .provinceLevel
    }
  }
}

/// Volunteer numbers, activity ids and record ids given as arguments, checked before
/// sending so that a typo is caught locally. The server has the last word.
enum LedgerArguments {
  /// A volunteer number: "V", a 9-digit sequence and an ISO 7064 MOD 11,10 check digit,
  /// e.g. V0000000014. Returns it trimmed and upper-cased.
  static func volunteerNumber(_ raw: String, _ what: String) throws -> String {
    let text = raw.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
    let utf8 = Array(text.utf8)
    guard utf8.count == 11, utf8[0] == UInt8(ascii: "V"),
      utf8.dropFirst().allSatisfy({ (0x30...0x39).contains($0) })
    else {
      throw ValidationError(
        "\(what) must be a volunteer number: V and 10 digits, e.g. V0000000014 (got '\(raw)').")
    }
    let digits = utf8.dropFirst().map { Int($0) - 0x30 }
    guard Self.mod11_10(Array(digits.prefix(9))) == digits[9] else {
      throw ValidationError(
        "\(what): \(text) has a wrong check digit (the last digit checks the other 9); "
          + "is there a typo?")
    }
    return text
  }

  /// ISO 7064 MOD 11,10 check digit over decimal digits.
  static func mod11_10(_ digits: [Int]) -> Int {
    var product = 10
    for digit in digits {
      var sum = (product + digit) % 10
      if sum == 0 { sum = 10 }
      product = (sum * 2) % 11
    }
    return (11 - product) % 10
  }

  /// An id the service assigned (activity "A000000001", record "R000000001"): trimmed,
  /// 1-64 characters without spaces.
  static func serviceID(_ raw: String, _ what: String, example: String) throws -> String {
    let id = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    guard (1...64).contains(id.count), !id.contains(where: { $0.isWhitespace || $0.isNewline })
    else {
      throw ValidationError(
        "\(what) must be an id the service assigned, such as \(example) (got '\(raw)').")
    }
    return id
  }

  /// Free text of `range` characters once trimmed, without control characters other than
  /// line breaks and tabs.
  static func text(_ raw: String, _ what: String, _ range: ClosedRange<Int>) throws -> String {
    let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    guard range.contains(text.count) else {
      let got = text.isEmpty ? "nothing" : "\(text.count) characters"
      throw ValidationError(
        "\(what) must be \(range.lowerBound)-\(range.upperBound) characters, got \(got).")
    }
    return text
  }
}

extension Volunteer_V1_ActivityCategory {
  var cliName: String {
    switch self {
    case .unspecified: "unspecified"
    case .communityService: ActivityCategoryArgument.communityService.rawValue
    case .elderlyCare: ActivityCategoryArgument.elderlyCare.rawValue
    case .education: ActivityCategoryArgument.education.rawValue
    case .environment: ActivityCategoryArgument.environment.rawValue
    case .emergencyRelief: ActivityCategoryArgument.emergencyRelief.rawValue
    case .largeEvents: ActivityCategoryArgument.largeEvents.rawValue
    case .culture: ActivityCategoryArgument.culture.rawValue
    case .health: ActivityCategoryArgument.health.rawValue
    case .povertyRelief: ActivityCategoryArgument.povertyRelief.rawValue
    case .other: ActivityCategoryArgument.other.rawValue
    case .UNRECOGNIZED(let value): "unrecognized(\(value))"
    }
  }
}

extension Volunteer_V1_ActivityStatus {
  var cliName: String {
    switch self {
    case .unspecified: "unspecified"
    case .draft: "draft"
    case .published: "published"
    case .closed: "closed"
    case .UNRECOGNIZED(let value): "unrecognized(\(value))"
    }
  }
}

extension Volunteer_V1_RecordStatus {
  var cliName: String {
    switch self {
    case .unspecified: "unspecified"
    case .pending: "pending"
    case .approved: "approved"
    case .rejected: "rejected"
    case .UNRECOGNIZED(let value): "unrecognized(\(value))"
    }
  }
}

extension Volunteer_V1_CapOverride {
  /// nil when there is no override.
  var cliName: String? {
    switch self {
    case .none: nil
    case .verifyingOrganisation: CapOverrideArgument.verifyingOrganisation.rawValue
    case .provinceLevel: CapOverrideArgument.provinceLevel.rawValue
    case .UNRECOGNIZED(let value): "unrecognized(\(value))"
    }
  }
}
