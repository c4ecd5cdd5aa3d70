import ArgumentParser
import Foundation
import GRPCCore
import WireProtocol

struct ImportVolunteersCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "volunteers",
    abstract: "Register volunteers from a CSV file, safely rerunnable.",
    discussion: """
      Checks every row locally first, then registers the valid rows with \
      Volunteers.RegisterVolunteer, --concurrency calls in flight (default 16), and prints a \
      summary: accepted (newly registered), already present (registered by an earlier run of \
      the import, or before under another key: ALREADY_EXISTS), refused, not sent.

      The file is UTF-8 CSV (RFC 4180: fields with commas, quotes or line breaks in double \
      quotes, a quote inside doubled; LF or CRLF line ends) with a header row naming the \
      columns, in any order (? marks optional columns, which may also be left empty):
        key?                    your own id for the row (1-128 bytes); see below
        real_name               as on the document (1-64 characters)
        document_type           resident-id, passport, hk-macao-permit,
                                taiwan-permit or foreign-permanent-residence
        document_number         a resident ID is 17 digits and a check digit or X
        birth_date?             YYYY-MM-DD; required unless resident-id
        sex?                    male or female (or 男/女); required unless resident-id
        phone?                  mainland mobile number, e.g. 13800138000
        organisation_id         the organisation the volunteer registers under
        guardian_name?          under 18 (required under 14): the guardian's name,
        guardian_relation?      the relation (e.g. mother) and the date the
        guardian_consent_date?  consent was given, YYYY-MM-DD; all three or none
        skills?                 semicolon-separated, e.g. \"first aid;sign language\"

      Local checks are those of `vol-admin volunteer register` (resident ID check character, \
      dates, phone, guardian consent by age in Asia/Shanghai, ...) plus duplicates inside the \
      file. Rows that fail them are listed on standard error with their line numbers and are \
      not sent; with --strict nothing is sent if any row fails (exit 2); --dry-run only \
      checks. Rows the service refuses keep the service's reason. Every refused row goes to \
      the report (--report, default FILE.refused.csv): its line number, key, status code \
      (LOCAL for a local check) and reason, followed by the row as it was.

      Safe to rerun, e.g. after an interruption or after fixing refused rows: each row's \
      idempotency key is its key column, or else "import-" and a 128-bit hash of the row's \
      normalised content, so a row imported before replays (already present) instead of \
      registering the volunteer twice. Calls whose outcome is unknown (timeouts, a dropped \
      connection) are retried a few times; if the service stays unreachable the import stops \
      with exit 3 and the rest can be sent by rerunning the same command.

      Progress goes to standard error: a bar with rate and ETA on a terminal, a line every \
      10 % otherwise. With --json the summary is one object with a result per row (line, \
      key, outcome, volunteer_number, code, reason).

      Exit codes: 0 nothing refused; 1 some rows refused; 2 the file cannot be read, or \
      local checks failed with --strict or --dry-run; 3 the service could not be reached.

      Example:
        vol-admin import volunteers examples/volunteers.csv
        vol-admin import volunteers partners/bj-2026-03.csv --strict \\
          --report partners/bj-2026-03.refused.csv
        vol-admin import volunteers examples/volunteers.csv --dry-run
      """
  )

  static let columns = [
    "key", "real_name", "document_type", "document_number", "birth_date", "sex", "phone",
    "organisation_id", "guardian_name", "guardian_relation", "guardian_consent_date", "skills",
  ]
  static let requiredColumns = ["real_name", "document_type", "document_number", "organisation_id"]

  @OptionGroup
  var options: ImportOptions

  @Option(help: ArgumentHelp("Registrations in flight at once, 1-64.", valueName: "n"))
  var concurrency = 16

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    guard (1...64).contains(self.concurrency) else {
      throw ValidationError("--concurrency must be between 1 and 64, not \(self.concurrency).")
    }
  }

  /// A row that passed the local checks.
  struct Prepared: Sendable {
    var index: Int
    var request: Volunteer_V1_RegisterVolunteerRequest
  }

  /// What came back for one registration.
  enum Sent: Sendable {
    case registered(Volunteer_V1_Volunteer)
    case failed(any Error)
  }

  func run() async throws {
    let table = try ImportTable.load(
      path: self.options.file, known: Self.columns, required: Self.requiredColumns)
    var results: [ImportRowResult] = []
    var prepared: [Prepared] = []
    var documents: [String: Int] = [:]
    var keys: [String: Int] = [:]
    let today = CalendarDate.todayInShanghai
    for row in table.rows {
      var result = ImportRowResult(
        line: row.line, key: table.value(row, "key"), outcome: .notSent, idName: "volunteer_number")
      do {
        if let problem = table.structuralProblem(row) { throw ValidationError(problem) }
        var request = try Self.request(row, table: table, today: today)
        let key =
          table.value(row, "key") ?? RowKey.derive(kind: "volunteers", Self.canonical(request))
        request.idempotencyKey = key
        result.key = key
        if let line = keys[key] {
          throw ValidationError(
            table.value(row, "key") != nil
              ? "key '\(key)' is also used on line \(line); each row needs its own key"
              : "repeats line \(line) (the same volunteer with the same details)")
        }
        let document = "\(request.documentType.cliName) \(request.documentNumber)"
        if let line = documents[document] {
          throw ValidationError("the same identity document as line \(line)")
        }
        keys[key] = row.line
        documents[document] = row.line
        prepared.append(Prepared(index: results.count, request: request))
      } catch {
        result.outcome = .refused
        result.code = "LOCAL"
        result.reason = Self.message(error)
      }
      results.append(result)
    }
    try await ImportFinish.sendAndFinish(
      kind: "volunteers", table: table, options: self.options, localResults: results,
      hasRowsToSend: !prepared.isEmpty, json: self.connection.json
    ) { try await self.send(prepared) }
  }

  /// Registers the prepared rows, `concurrency` at a time; returns a result per row index
  /// it got an answer for, and why it stopped early, if it did.
  func send(_ prepared: [Prepared]) async throws -> (
    results: [Int: ImportRowResult], stop: ImportStop?
  ) {
    let concurrency = self.concurrency
    return try await self.connection.withClient { client, options in
      // The server's clock when the import starts: a registration it returns with an
      // earlier registered_at is a replay of an earlier run (the response has no flag).
      let health = try await Volunteer_V1_Health.Client(wrapping: client)
        .check(Volunteer_V1_HealthCheckRequest(), options: options)
      let startedAt =
        health.hasServerTime ? health.serverTime.secondsValue : Date().timeIntervalSince1970

      let progress = ImportProgress(total: prepared.count, label: "registering")
      defer { progress.finish() }
      var results: [Int: ImportRowResult] = [:]
      var stop: ImportStop?
      await withTaskGroup(of: (Int, Sent).self) { group in
        var next = 0
        func start(_ row: Prepared) {
          group.addTask {
            let service = Volunteer_V1_Volunteers.Client(wrapping: client)
            var attempt = 0
            while true {
              do {
                let response = try await service.registerVolunteer(row.request, options: options)
                return (row.index, .registered(response.volunteer))
              } catch {
                attempt += 1
                guard ImportRetry.isTransient(error), attempt < ImportRetry.attempts else {
                  return (row.index, .failed(error))
                }
                await ImportRetry.backoff(attempt: attempt)
              }
            }
          }
        }
        while next < prepared.count, next < concurrency {
          start(prepared[next])
          next += 1
        }
        for await (index, sent) in group {
          var result = ImportRowResult(line: 0, outcome: .notSent, idName: "volunteer_number")
          switch sent {
          case .registered(let volunteer):
            result.id = volunteer.volunteerNumber
            if volunteer.hasRegisteredAt, volunteer.registeredAt.secondsValue < startedAt {
              result.outcome = .alreadyPresent
              result.reason = "registered by an earlier import with the same key"
            } else {
              result.outcome = .accepted
            }
          case .failed(let error):
            let (code, message) = ImportRetry.describe(error)
            if ImportRetry.isFatal(error) {
              if stop == nil {
                stop = .refused("the service refused the registrations: \(code): \(message)")
              }
            } else if ImportRetry.isTransient(error) {
              if stop == nil {
                stop = .unreachable(
                  "the service did not answer after \(ImportRetry.attempts) attempts: \(code): \(message)"
                )
              }
            } else if code == "ALREADY_EXISTS" {
              result.outcome = .alreadyPresent
              result.id = Self.volunteerNumber(in: message)
              result.code = code
              result.reason = message
            } else {
              result.outcome = .refused
              result.code = code
              result.reason = message
            }
          }
          results[index] = result
          progress.advance(by: 1)
          if stop == nil, next < prepared.count {
            start(prepared[next])
            next += 1
          }
        }
      }
      return (results, stop)
    }
  }

  /// Builds the request of one row with the checks of `volunteer register`; the key is
  /// filled in afterwards.
  static func request(_ row: CSV.Record, table: ImportTable, today: CalendarDate) throws
    -> Volunteer_V1_RegisterVolunteerRequest
  {
    let typeText = try table.required(row, "document_type")
    guard let type = DocumentTypeArgument(rawValue: typeText.lowercased()) else {
      throw ValidationError(
        "document_type '\(typeText)' is not one of "
          + DocumentTypeArgument.allCases.map(\.rawValue).joined(separator: ", ") + ".")
    }
    var sex: SexArgument?
    if let text = table.value(row, "sex") {
      switch text.lowercased() {
      case "male", "m", "男": sex = .male
      case "female", "f", "女": sex = .female
      default: throw ValidationError("sex '\(text)' is not male or female.")
      }
    }
    func date(_ column: String) throws -> CalendarDate? {
      guard let text = table.value(row, column) else { return nil }
      do {
        return try CalendarDate.parse(text)
      } catch {
        throw ValidationError("\(column): \(error).")
      }
    }
    let input = VolunteerRegistrationInput(
      name: try table.required(row, "real_name"), documentType: type,
      document: try table.required(row, "document_number"), birthDate: try date("birth_date"),
      sex: sex, phone: table.value(row, "phone"), org: try table.required(row, "organisation_id"),
      guardianName: table.value(row, "guardian_name"),
      guardianRelation: table.value(row, "guardian_relation"),
      guardianConsentDate: try date("guardian_consent_date"),
      skills: (table.value(row, "skills") ?? "").split(separator: ";").map(String.init)
        .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
    return try input.makeRequest(idempotencyKey: "pending", labels: .columns, today: today)
  }

  /// The request's content in a fixed order, for the row key.
  static func canonical(_ request: Volunteer_V1_RegisterVolunteerRequest) -> [String] {
    [
      request.realName, request.documentType.cliName, request.documentNumber,
      request.hasBirthDate ? request.birthDate.text : "", request.sex.cliName ?? "", request.phone,
      request.organisationID,
      request.hasGuardianConsent ? request.guardianConsent.guardianName : "",
      request.hasGuardianConsent ? request.guardianConsent.relation : "",
      request.hasGuardianConsent && request.guardianConsent.hasConsentDate
        ? request.guardianConsent.consentDate.text : "",
      request.skills.joined(separator: ";"),
    ]
  }

  /// The first volunteer number in an ALREADY_EXISTS message.
  static func volunteerNumber(in message: String) -> String? {
    let characters = Array(message)
    var index = 0
    while index + 11 <= characters.count {
      if characters[index] == "V",
        characters[(index + 1)..<(index + 11)].allSatisfy({ $0.isASCII && $0.isNumber }),
        index + 11 == characters.count || !characters[index + 11].isNumber
      {
        return String(characters[index..<(index + 11)])
      }
      index += 1
    }
    return nil
  }

  static func message(_ error: any Error) -> String {
    let text = (error as? ValidationError)?.message ?? String(describing: error)
    return ConnectionOptions.oneLine(text)
  }
}
