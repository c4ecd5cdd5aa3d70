import ArgumentParser
import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

struct ImportHoursCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hours",
    abstract: "Log service hours from a CSV file, safely rerunnable.",
    discussion: """
      Checks every row locally first, then sends the valid rows with Hours.UploadHours, a \
      client stream of --batch-size records per call (default 1,000), and prints a summary: \
      accepted (newly logged, pending review), already present (logged by an earlier run of \
      the import), refused, not sent. The service answers every record on its own, so one \
      bad row never stops the others.

      Travel time does not count: by importing you declare that every row's start_time and \
      end_time exclude travel time (each record is sent with travel_time_excluded set).

      The file is UTF-8 CSV (RFC 4180: fields with commas, quotes or line breaks in double \
      quotes, a quote inside doubled; LF or CRLF line ends) with a header row naming the \
      columns, in any order (? marks the optional column):
        key?              your own id for the record (1-128 bytes); see below
        volunteer_number  e.g. V0000000014
        activity_id       a published or closed activity, e.g. A000000001
        start_time        ISO 8601 with offset, e.g. 2026-03-01T09:00:00+08:00;
        end_time          without offset (2026-03-01 09:00): Asia/Shanghai
        content           what the volunteer did (1-500 characters)

      Local checks: a well-formed volunteer number (with its check digit), start before \
      end, at most 24 hours, not ending in the future, content present, no two rows of the \
      same volunteer overlapping and no row repeated. The service also checks the activity \
      (published or closed, the record inside its window with 30 minutes' tolerance) and \
      overlaps with records it already has. Rows that fail the local checks are listed on \
      standard error with their line numbers and are not sent; with --strict nothing is \
      sent if any row fails (exit 2); --dry-run only checks. Every refused row goes to the \
      report (--report, default FILE.refused.csv): its line number, key, status code (LOCAL \
      for a local check) and the reason, followed by the row as it was.

      Safe to rerun, e.g. after an interruption or after fixing refused rows: each row's \
      idempotency key is its key column, or else "import-" and a 128-bit hash of the row's \
      normalised content, so a record logged before replays (already present) instead of \
      being logged twice. A batch whose outcome is unknown (a timeout, a dropped connection) \
      is sent again a few times; if the service stays unreachable the import stops with \
      exit 3 and the rest can be sent by rerunning the same command.

      Progress goes to standard error: a bar with rate and ETA on a terminal, a line every \
      10 % otherwise. With --json the summary is one object with a result per row (line, \
      key, outcome, record_id, code, reason).

      Exit codes: 0 nothing refused; 1 some rows refused; 2 the file cannot be read, or \
      local checks failed with --strict or --dry-run; 3 the service could not be reached.

      Example:
        vol-admin import hours examples/hours.csv
        vol-admin import hours partners/bj-hours-2026-03.csv --strict --batch-size 5000
      """
  )

  static let columns = [
    "key", "volunteer_number", "activity_id", "start_time", "end_time", "content",
  ]
  static let requiredColumns = Array(columns.dropFirst())

  @OptionGroup
  var options: ImportOptions

  @Option(help: ArgumentHelp("Records per UploadHours call, 1-10000.", valueName: "n"))
  var batchSize = 1000

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    guard (1...10_000).contains(self.batchSize) else {
      throw ValidationError("--batch-size must be between 1 and 10000, not \(self.batchSize).")
    }
  }

  struct Prepared: Sendable {
    var index: Int
    var request: Volunteer_V1_LogHoursRequest
  }

  func run() async throws {
    let table = try ImportTable.load(
      path: self.options.file, known: Self.columns, required: Self.requiredColumns)
    var results: [ImportRowResult] = []
    var prepared: [Prepared] = []
    var keys: [String: Int] = [:]
    /// Accepted spans per volunteer: (start, end, line).
    var spans: [String: [(Double, Double, Int)]] = [:]
    let now = Date()
    for row in table.rows {
      var result = ImportRowResult(
        line: row.line, key: table.value(row, "key"), outcome: .notSent, idName: "record_id")
      do {
        if let problem = table.structuralProblem(row) { throw ValidationError(problem) }
        func time(_ column: String) throws -> Google_Protobuf_Timestamp {
          let text = try table.required(row, column)
          do {
            return try TimeArguments.instant(text)
          } catch {
            throw ValidationError("\(column): \(error).")
          }
        }
        let input = HoursRecordInput(
          volunteer: try table.required(row, "volunteer_number"),
          activity: try table.required(row, "activity_id"), start: try time("start_time"),
          end: try time("end_time"), content: try table.required(row, "content"))
        var request = try input.makeRequest(idempotencyKey: "pending", labels: .columns, now: now)
        let key = table.value(row, "key") ?? RowKey.derive(kind: "hours", Self.canonical(request))
        guard key.utf8.count <= 128 else {
          throw ValidationError("key must be at most 128 bytes, got \(key.utf8.count).")
        }
        request.idempotencyKey = key
        result.key = key
        if let line = keys[key] {
          throw ValidationError(
            table.value(row, "key") != nil
              ? "key '\(key)' is also used on line \(line); each row needs its own key"
              : "repeats line \(line) (the same record)")
        }
        let start = request.startTime.secondsValue
        let end = request.endTime.secondsValue
        if let other = spans[request.volunteerNumber, default: []].first(where: {
          $0.0 < end && start < $0.1
        }) {
          throw ValidationError(
            "overlaps line \(other.2), a record of the same volunteer \(request.volunteerNumber) "
              + "(one person, one place at a time)")
        }
        keys[key] = row.line
        spans[request.volunteerNumber, default: []].append((start, end, row.line))
        prepared.append(Prepared(index: results.count, request: request))
      } catch {
        result.outcome = .refused
        result.code = "LOCAL"
        result.reason = ImportVolunteersCommand.message(error)
      }
      results.append(result)
    }
    try await ImportFinish.sendAndFinish(
      kind: "hours", table: table, options: self.options, localResults: results,
      hasRowsToSend: !prepared.isEmpty, json: self.connection.json
    ) { try await self.send(prepared) }
  }

  /// Uploads the prepared rows in batches, one after the other; returns a result per row
  /// index it got an answer for, and why it stopped early, if it did.
  func send(_ prepared: [Prepared]) async throws -> (
    results: [Int: ImportRowResult], stop: ImportStop?
  ) {
    let batchSize = self.batchSize
    return try await self.connection.withClient { client, options in
      let service = Volunteer_V1_Hours.Client(wrapping: client)
      let progress = ImportProgress(total: prepared.count, label: "uploading")
      defer { progress.finish() }
      var results: [Int: ImportRowResult] = [:]
      var offset = 0
      while offset < prepared.count {
        let batch = Array(prepared[offset..<min(offset + batchSize, prepared.count)])
        let requests = batch.map(\.request)
        var attempt = 0
        let response: Volunteer_V1_UploadHoursResponse
        while true {
          do {
            response = try await service.uploadHours(
              options: options,
              requestProducer: { writer in try await writer.write(contentsOf: requests) })
            break
          } catch {
            attempt += 1
            let (code, message) = ImportRetry.describe(error)
            if ImportRetry.isTransient(error), attempt < ImportRetry.attempts {
              await ImportRetry.backoff(attempt: attempt)
              continue
            }
            let stop: ImportStop =
              ImportRetry.isTransient(error)
              ? .unreachable(
                "the service did not answer after \(ImportRetry.attempts) attempts: \(code): \(message)"
              )
              : .refused("the service refused the upload: \(code): \(message)")
            return (results, stop)
          }
        }
        for answer in response.results {
          let position = Int(answer.index)
          guard position < batch.count, answer.idempotencyKey == requests[position].idempotencyKey
          else { continue }
          var result = ImportRowResult(line: 0, outcome: .notSent, idName: "record_id")
          switch answer.outcome {
          case .accepted(let record):
            result.outcome = .accepted
            result.id = record.id
          case .replayed(let record):
            result.outcome = .alreadyPresent
            result.id = record.id
            result.reason = "logged by an earlier import with the same key"
          case .refused(let refusal):
            result.outcome = .refused
            result.code = RefusalCode.name(refusal.code)
            result.reason = ConnectionOptions.oneLine(refusal.message)
          case nil:
            continue
          }
          results[batch[position].index] = result
        }
        progress.advance(by: batch.count)
        offset += batch.count
      }
      return (results, nil)
    }
  }

  /// The request's content in a fixed order, for the row key.
  static func canonical(_ request: Volunteer_V1_LogHoursRequest) -> [String] {
    [
      request.volunteerNumber, request.activityID,
      "\(request.startTime.seconds).\(request.startTime.nanos)",
      "\(request.endTime.seconds).\(request.endTime.nanos)", request.content,
    ]
  }
}
