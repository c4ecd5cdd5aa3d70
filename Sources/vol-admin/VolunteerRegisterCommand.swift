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
      --guardian-consent-date together. Ages are computed in Asia/Shanghai. A phone is a \
      mainland mobile number (11 digits starting with 13-19, optionally after +86).

      The request carries an idempotency key (a new UUID unless --idempotency-key is given): \
      repeating the command with the same key and the same details returns the original \
      registration instead of a duplicate, so reuse the key when retrying after a timeout. \
      ALREADY_EXISTS means the document is registered already, under the number the error names.

      Examples:
        vol-admin volunteer register --name 张三 --document-type resident-id \\
          --document 11010519491231002X --phone 13800138000 --org org-beijing \\
          --skill "first aid" --skill 手语
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

  @Option(
    help: ArgumentHelp(
      "Mainland mobile number: 11 digits starting with 13-19 (+86 allowed).", valueName: "phone"))
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
    name: .customLong("skill"),
    help: ArgumentHelp(
      "A skill, e.g. \"first aid\" (1-40 characters; repeat for more, at most 20).",
      valueName: "skill"))
  var skills: [String] = []

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
    let input = VolunteerRegistrationInput(
      name: self.name, documentType: self.documentType, document: self.document,
      birthDate: self.birthDate, sex: self.sex, phone: self.phone, org: self.org,
      guardianName: self.guardianName, guardianRelation: self.guardianRelation,
      guardianConsentDate: self.guardianConsentDate, skills: self.skills)
    return try input.makeRequest(idempotencyKey: idempotencyKey, labels: .options)
  }
}
