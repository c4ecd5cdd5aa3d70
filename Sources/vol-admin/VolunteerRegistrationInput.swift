import ArgumentParser
import Foundation
import WireProtocol

/// The details of one registration, from the command line (`volunteer register`) or from a
/// row of an import file (`import volunteers`), checked the same way in both: messages name
/// the option or the CSV column at fault.
///
/// These are the service's own rules, applied locally so that a typo is caught before
/// anything is sent; the service checks again and has the last word.
struct VolunteerRegistrationInput {
  /// How each input is named in messages.
  struct Labels {
    var name: String
    var documentType: String
    var document: String
    var birthDate: String
    var sex: String
    var phone: String
    var org: String
    var guardianName: String
    var guardianRelation: String
    var guardianConsentDate: String
    var skills: String
    var idempotencyKey: String

    static let options = Labels(
      name: "--name", documentType: "--document-type", document: "--document",
      birthDate: "--birth-date", sex: "--sex", phone: "--phone", org: "--org",
      guardianName: "--guardian-name", guardianRelation: "--guardian-relation",
      guardianConsentDate: "--guardian-consent-date", skills: "--skill",
      idempotencyKey: "--idempotency-key")

    static let columns = Labels(
      name: "real_name", documentType: "document_type", document: "document_number",
      birthDate: "birth_date", sex: "sex", phone: "phone", org: "organisation_id",
      guardianName: "guardian_name", guardianRelation: "guardian_relation",
      guardianConsentDate: "guardian_consent_date", skills: "skills", idempotencyKey: "key")
  }

  var name: String
  var documentType: DocumentTypeArgument
  var document: String
  var birthDate: CalendarDate?
  var sex: SexArgument?
  var phone: String?
  var org: String
  var guardianName: String?
  var guardianRelation: String?
  var guardianConsentDate: CalendarDate?
  var skills: [String] = []

  /// Checks the details and builds the request, throwing a message that says what is
  /// expected. `today` is the current day in Asia/Shanghai, where ages are computed.
  func makeRequest(
    idempotencyKey: String, labels: Labels, today: CalendarDate = .todayInShanghai
  ) throws -> Volunteer_V1_RegisterVolunteerRequest {
    var request = Volunteer_V1_RegisterVolunteerRequest()
    let key = try Self.required(idempotencyKey, labels.idempotencyKey)
    guard key.utf8.count <= 128 else {
      throw ValidationError(
        "\(labels.idempotencyKey) must be at most 128 bytes, got \(key.utf8.count).")
    }
    request.idempotencyKey = key
    let name = try Self.required(self.name, labels.name)
    guard name.count <= 64, !Self.hasControlCharacters(name) else {
      throw ValidationError(
        "\(labels.name) must be 1-64 characters without control characters, got \(name.count).")
    }
    request.realName = name
    request.documentType = self.documentType.proto
    request.organisationID = try OrganisationArguments.id(self.org, labels.org)

    let document = try Self.required(self.document, labels.document)
    let birthDate: CalendarDate
    if self.documentType == .residentID {
      let id = try ResidentIDNumber(validating: document, label: labels.document)
      if id.birthDate > today {
        throw ValidationError(
          "\(labels.document): the resident ID's birth date \(id.birthDate) is in the future.")
      }
      if let given = self.birthDate, given != id.birthDate {
        throw ValidationError(
          "\(labels.birthDate) \(given) contradicts the resident ID, whose birth date is "
            + "\(id.birthDate): leave \(labels.birthDate) out or fix it.")
      }
      if let sex = self.sex, sex != id.sex {
        throw ValidationError(
          "\(labels.sex) \(sex.rawValue) contradicts the resident ID, which is that of a "
            + "\(id.sex.rawValue) (odd 17th digit: male, even: female): leave \(labels.sex) "
            + "out or fix it.")
      }
      request.documentNumber = id.normalized
      request.birthDate = id.birthDate.proto
      request.sex = id.sex.proto
      birthDate = id.birthDate
    } else {
      guard !document.contains(where: \.isWhitespace) else {
        throw ValidationError("\(labels.document) must not contain spaces: '\(document)'.")
      }
      let number = document.uppercased()
      if let problem = Self.formatProblem(Array(number), type: self.documentType) {
        throw ValidationError("\(labels.document): \(problem).")
      }
      guard let given = self.birthDate else {
        throw ValidationError(
          "\(labels.birthDate) YYYY-MM-DD is required for \(self.documentType.phrase) "
            + "(only a resident ID carries the birth date).")
      }
      guard let sex = self.sex else {
        throw ValidationError(
          "\(labels.sex) male|female is required for \(self.documentType.phrase) "
            + "(only a resident ID carries the sex).")
      }
      request.documentNumber = number
      request.birthDate = given.proto
      request.sex = sex.proto
      birthDate = given
    }
    if let given = self.birthDate, given > today {
      throw ValidationError("\(labels.birthDate) \(given) is in the future.")
    }

    if let phone = self.phone {
      request.phone = try Self.mobileNumber(phone, labels.phone)
    }

    let guardian: [(String, Bool)] = [
      (labels.guardianName, self.guardianName != nil),
      (labels.guardianRelation, self.guardianRelation != nil),
      (labels.guardianConsentDate, self.guardianConsentDate != nil),
    ]
    let given = guardian.filter(\.1).map(\.0)
    let age = Self.age(born: birthDate, on: today)
    if given.isEmpty, age < 18 {
      let rule =
        age < 14
        ? "registering someone under 14 requires a guardian's consent"
        : "a guardian's consent is recorded for volunteers aged 14 to 17"
      throw ValidationError(
        "the volunteer is \(age): \(rule); give \(labels.guardianName), "
          + "\(labels.guardianRelation) and \(labels.guardianConsentDate).")
    }
    if !given.isEmpty {
      guard given.count == guardian.count,
        let guardianName = self.guardianName, let relation = self.guardianRelation,
        let consentDate = self.guardianConsentDate
      else {
        let missing = guardian.filter { !$0.1 }.map(\.0)
        throw ValidationError(
          "\(labels.guardianName), \(labels.guardianRelation) and \(labels.guardianConsentDate) "
            + "go together: missing \(missing.joined(separator: " and ")).")
      }
      if consentDate > today {
        throw ValidationError("\(labels.guardianConsentDate) \(consentDate) is in the future.")
      }
      var consent = Volunteer_V1_GuardianConsent()
      consent.guardianName = try Self.required(guardianName, labels.guardianName)
      guard consent.guardianName.count <= 64 else {
        throw ValidationError("\(labels.guardianName) must be at most 64 characters.")
      }
      consent.relation = try Self.required(relation, labels.guardianRelation)
      guard consent.relation.count <= 32 else {
        throw ValidationError(
          "\(labels.guardianRelation) must be at most 32 characters, e.g. mother, father, "
            + "legal guardian.")
      }
      consent.consentDate = consentDate.proto
      request.guardianConsent = consent
    }

    var seen = Set<String>()
    for raw in self.skills {
      let skill = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      guard (1...40).contains(skill.count), !Self.hasControlCharacters(skill) else {
        throw ValidationError(
          "\(labels.skills): each skill is 1-40 characters without control characters "
            + "(got '\(raw)').")
      }
      if seen.insert(skill).inserted { request.skills.append(skill) }
    }
    guard request.skills.count <= 20 else {
      throw ValidationError("\(labels.skills): at most 20 skills, got \(request.skills.count).")
    }
    return request
  }

  /// Completed years between `born` and `today`.
  static func age(born: CalendarDate, on today: CalendarDate) -> Int {
    var years = today.year - born.year
    if (today.month, today.day) < (born.month, born.day) { years -= 1 }
    return years
  }

  /// The 11 digits of a mainland mobile number given as `13800138000`, `138-0013-8000`,
  /// `+86 138 0013 8000` or `0086…`.
  static func mobileNumber(_ raw: String, _ label: String) throws -> String {
    var digits = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      .filter { $0 != " " && $0 != "-" }
    if digits.hasPrefix("+86") {
      digits.removeFirst(3)
    } else if digits.hasPrefix("0086"), digits.count == 15 {
      digits.removeFirst(4)
    } else if digits.hasPrefix("86"), digits.count == 13 {
      digits.removeFirst(2)
    }
    let characters = Array(digits)
    guard characters.count == 11, characters[0] == "1", "3456789".contains(characters[1]),
      characters.allSatisfy({ $0.isASCII && $0.isNumber })
    else {
      throw ValidationError(
        "\(label) must be a mainland mobile number: 11 digits starting with 13-19, "
          + "e.g. 13800138000, optionally after +86 (got '\(raw)').")
    }
    return digits
  }

  /// What is wrong with an upper-cased document number that is not a resident ID, or nil.
  static func formatProblem(_ characters: [Character], type: DocumentTypeArgument) -> String? {
    func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
    func isLetter(_ c: Character) -> Bool { c.isASCII && c.isUppercase }
    switch type {
    case .residentID:
      return nil
    case .passport:
      guard characters.allSatisfy({ isDigit($0) || isLetter($0) }),
        (5...17).contains(characters.count)
      else { return "a passport number is 5-17 letters A-Z and digits" }
    case .hkMacaoPermit:
      guard let first = characters.first, first == "H" || first == "M",
        characters.dropFirst().allSatisfy(isDigit), characters.count == 9 || characters.count == 11
      else {
        return "a Hong Kong/Macao permit number is H (Hong Kong) or M (Macao) followed by "
          + "8 or 10 digits"
      }
    case .taiwanPermit:
      guard characters.count == 8, characters.allSatisfy(isDigit) else {
        return "a Taiwan permit number is 8 digits"
      }
    case .foreignPermanentResidence:
      let oldForm =
        characters.count == 15 && characters.prefix(3).allSatisfy(isLetter)
        && characters.dropFirst(3).allSatisfy(isDigit)
      let newForm =
        characters.count == 18 && characters.first == "9" && characters.allSatisfy(isDigit)
      guard oldForm || newForm else {
        return "a foreign permanent residence card number is 3 letters and 12 digits (old "
          + "form) or 18 digits starting with 9 (new form)"
      }
    }
    return nil
  }

  /// The value trimmed; throws if nothing is left.
  static func required(_ value: String, _ label: String) throws -> String {
    let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty else {
      throw ValidationError("\(label) must not be empty.")
    }
    return trimmed
  }

  static func hasControlCharacters(_ text: String) -> Bool {
    text.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) }
  }
}
