import ArgumentParser
import Foundation
import WireProtocol

struct VolunteerRegisterCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "register",
    abstract: "Register a volunteer under their real name and identity document.",
    discussion: """
      Calls Volunteers.RegisterVolunteer and prints the registered volunteer with their new \
      volunteer number.

      A resident ID (18 characters, GB 11643-1999) carries the birth date and sex; they are \
      taken from the number, and --birth-date/--sex, if given, must agree with it. Every other \
      document type needs --birth-date and --sex. Under 18 a guardian consent is recorded \
      (mandatory under 14): give --guardian-name, --guardian-relation and \
      --guardian-consent-date together.

      The request carries an idempotency key (a new UUID unless --idempotency-key is given): \
      repeating the command with the same key and the same details returns the original \
      registration instead of a duplicate, so reuse the key when retrying after a timeout. \
      ALREADY_EXISTS means the document is registered already, under the number the error names.

      Examples:
        vol-admin volunteer register --name 张三 --document-type resident-id \\
          --document 11010519491231002X --phone 13800138000 --org org-beijing
        vol-admin volunteer register --name "Anna Müller" \\
          --document-type passport --document C01234567 \\
          --birth-date 2012-03-04 --sex female --org org-beijing \\
          --guardian-name "Eva Müller" --guardian-relation mother \\
          --guardian-consent-date 2026-02-01
      """
  )

  @Option(help: ArgumentHelp("The volunteer's real name, as on the document.", valueName: "name"))
  var name: String

  @Option(help: ArgumentHelp("The kind of identity document.", valueName: "type"))
  var documentType: DocumentTypeArgument

  @Option(
    help: ArgumentHelp(
      "The document number; a resident ID is 17 digits and a check digit or X.",
      valueName: "number"))
  var document: String

  @Option(
    help: ArgumentHelp(
      "Birth date; required unless the document is a resident ID.", valueName: "yyyy-mm-dd"),
    transform: CalendarDate.parse)
  var birthDate: CalendarDate?

  @Option(help: ArgumentHelp("Sex; required unless the document is a resident ID.", valueName: "sex"))
  var sex: SexArgument?

  @Option(help: ArgumentHelp("Mainland mobile number: 11 digits starting with 1.", valueName: "phone"))
  var phone: String?

  @Option(help: ArgumentHelp("Id of the organisation the volunteer registers under.", valueName: "org-id"))
  var org: String

  @Option(help: ArgumentHelp("The guardian's name (volunteers under 18).", valueName: "name"))
  var guardianName: String?

  @Option(
    help: ArgumentHelp(
      "The guardian's relation, e.g. mother, father, legal guardian.", valueName: "relation"))
  var guardianRelation: String?

  @Option(
    help: ArgumentHelp("When the guardian gave consent.", valueName: "yyyy-mm-dd"),
    transform: CalendarDate.parse)
  var guardianConsentDate: CalendarDate?

  @Option(
    help: ArgumentHelp(
      "Key that makes a retry safe; defaults to a new UUID.", valueName: "key"))
  var idempotencyKey: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try self.makeRequest(idempotencyKey: "validation")
  }

  func run() async throws {
    let key = self.idempotencyKey ?? UUID().uuidString.lowercased()
    let request = try self.makeRequest(idempotencyKey: key)
    let response = try await self.connection.withClient(
      retryHint: "the outcome is unknown: retry with --idempotency-key \(key)"
    ) { client, options in
      try await Volunteer_V1_Volunteers.Client(wrapping: client)
        .registerVolunteer(request, options: options)
    }
    let view = VolunteerView(response.volunteer)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines + [("idempotency key", key)])
    }
  }

  /// Checks the options and builds the request, throwing a message that says what is
  /// expected. The server checks again and has the last word.
  func makeRequest(idempotencyKey: String) throws -> Volunteer_V1_RegisterVolunteerRequest {
    var request = Volunteer_V1_RegisterVolunteerRequest()
    request.idempotencyKey = try Self.required(idempotencyKey, "--idempotency-key")
    request.realName = try Self.required(self.name, "--name")
    request.documentType = self.documentType.proto
    request.organisationID = try Self.required(self.org, "--org")
    let today = CalendarDate.todayInShanghai

    let document = try Self.required(self.document, "--document")
    if self.documentType == .residentID {
      let id = try ResidentIDNumber(validating: document)
      if id.birthDate > today {
        throw ValidationError(
          "--document: the resident ID's birth date \(id.birthDate) is in the future.")
      }
      if let birthDate = self.birthDate, birthDate != id.birthDate {
        throw ValidationError(
          "--birth-date \(birthDate) contradicts the resident ID, whose birth date is "
            + "\(id.birthDate): leave --birth-date out or fix it.")
      }
      if let sex = self.sex, sex != id.sex {
        throw ValidationError(
          "--sex \(sex.rawValue) contradicts the resident ID, which is that of a \(id.sex.rawValue) "
            + "(odd 17th digit: male, even: female): leave --sex out or fix it.")
      }
      request.documentNumber = id.normalized
      request.birthDate = id.birthDate.proto
      request.sex = id.sex.proto
    } else {
      guard !document.contains(where: \.isWhitespace) else {
        throw ValidationError("--document must not contain spaces: '\(document)'.")
      }
      guard let birthDate = self.birthDate else {
        throw ValidationError(
          "--birth-date YYYY-MM-DD is required for \(self.documentType.phrase) "
            + "(only a resident ID carries the birth date).")
      }
      guard let sex = self.sex else {
        throw ValidationError(
          "--sex male|female is required for \(self.documentType.phrase) "
            + "(only a resident ID carries the sex).")
      }
      request.documentNumber = document
      request.birthDate = birthDate.proto
      request.sex = sex.proto
    }
    if let birthDate = self.birthDate, birthDate > today {
      throw ValidationError("--birth-date \(birthDate) is in the future.")
    }

    if let phone = self.phone {
      let digits = phone.filter { $0 != " " && $0 != "-" }
      guard digits.count == 11, digits.first == "1",
        digits.allSatisfy({ $0.isASCII && $0.isNumber })
      else {
        throw ValidationError(
          "--phone must be a mainland mobile number: 11 digits starting with 1, "
            + "e.g. 13800138000 (got '\(phone)').")
      }
      request.phone = digits
    }

    let guardian: [(String, Bool)] = [
      ("--guardian-name", self.guardianName != nil),
      ("--guardian-relation", self.guardianRelation != nil),
      ("--guardian-consent-date", self.guardianConsentDate != nil),
    ]
    let given = guardian.filter(\.1).map(\.0)
    if !given.isEmpty {
      guard given.count == guardian.count,
        let name = self.guardianName, let relation = self.guardianRelation,
        let consentDate = self.guardianConsentDate
      else {
        let missing = guardian.filter { !$0.1 }.map(\.0)
        throw ValidationError(
          "--guardian-name, --guardian-relation and --guardian-consent-date go together: "
            + "missing \(missing.joined(separator: " and ")).")
      }
      if consentDate > today {
        throw ValidationError("--guardian-consent-date \(consentDate) is in the future.")
      }
      var consent = Volunteer_V1_GuardianConsent()
      consent.guardianName = try Self.required(name, "--guardian-name")
      consent.relation = try Self.required(relation, "--guardian-relation")
      consent.consentDate = consentDate.proto
      request.guardianConsent = consent
    }
    return request
  }

  /// The value trimmed; throws if nothing is left.
  private static func required(_ value: String, _ option: String) throws -> String {
    let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty else {
      throw ValidationError("\(option) must not be empty.")
    }
    return trimmed
  }
}
