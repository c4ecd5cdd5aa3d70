import ArgumentParser
import Foundation
import SwiftProtobuf
import WireProtocol

struct HoursLogCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "log",
    abstract: "Log one service-hours record, pending review.",
    discussion: """
      Calls Hours.LogHours and prints the new record (pending), with its raw minutes and \
      credited hours.

      Travel time does not count: by logging you declare that --start and --end exclude \
      travel time (the request is sent with travel_time_excluded set).

      --start and --end are ISO 8601 times with an offset, e.g. 2026-03-01T09:00:00+08:00; a \
      time without an offset is read in Asia/Shanghai. The record must end after it starts, \
      cover at most 24 hours, not end in the future, and lie inside the activity's window \
      (30 minutes' tolerance on each side); the activity must be published or closed, and the \
      record must not overlap another pending or approved record of the volunteer. --content \
      says what the volunteer did (1-500 characters). Records entered more than 10 working \
      days after the activity ended are accepted but flagged late.

      The request carries an idempotency key (a new UUID unless --idempotency-key is given): \
      repeating the command with the same key and the same details returns the original \
      record instead of a duplicate, so reuse the key when retrying after a timeout; the same \
      key with other details is FAILED_PRECONDITION.

      Example:
        vol-admin hours log --volunteer V0000000014 --activity A000000001 \\
          --start 2026-03-01T09:00:00+08:00 --end 2026-03-01T11:20:00+08:00 \\
          --content "Read to children" --idempotency-key bj-2026-03-01-0017
      """
  )

  @Option(help: ArgumentHelp("The volunteer number, e.g. V0000000014.", valueName: "number"))
  var volunteer: String

  @Option(help: ArgumentHelp("The activity id, e.g. A000000001.", valueName: "id"))
  var activity: String

  @Option(
    help: ArgumentHelp(
      "When the service started, e.g. 2026-03-01T09:00:00+08:00.", valueName: "time"),
    transform: TimeArguments.instant)
  var start: Google_Protobuf_Timestamp

  @Option(
    help: ArgumentHelp(
      "When the service ended, e.g. 2026-03-01T11:20:00+08:00.", valueName: "time"),
    transform: TimeArguments.instant)
  var end: Google_Protobuf_Timestamp

  @Option(help: ArgumentHelp("What the volunteer did (1-500 characters).", valueName: "text"))
  var content: String

  @Option(
    help: ArgumentHelp("Key that makes a retry safe; defaults to a new UUID.", valueName: "key"))
  var idempotencyKey: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try self.makeRequest(idempotencyKey: "validation")
  }

  func makeRequest(idempotencyKey: String) throws -> Volunteer_V1_LogHoursRequest {
    let input = HoursRecordInput(
      volunteer: self.volunteer, activity: self.activity, start: self.start, end: self.end,
      content: self.content)
    return try input.makeRequest(idempotencyKey: idempotencyKey, labels: .options)
  }

  func run() async throws {
    let key = self.idempotencyKey ?? UUID().uuidString.lowercased()
    let request = try self.makeRequest(idempotencyKey: key)
    let record = try await self.connection.withClient(
      retryHint: "the outcome is unknown: retry with --idempotency-key \(key)"
    ) { client, options in
      try await Volunteer_V1_Hours.Client(wrapping: client).logHours(request, options: options)
    }
    let view = ServiceRecordView(record)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines + [("idempotency key", key)])
    }
  }
}
