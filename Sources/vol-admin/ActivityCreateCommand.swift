import ArgumentParser
import Foundation
import SwiftProtobuf
import WireProtocol

struct ActivityCreateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "create",
    abstract: "Create a draft activity of an organisation inside your scope.",
    discussion: """
      Calls Activities.CreateActivity and prints the new activity, a draft with an id the \
      service assigns (e.g. A000000001); `vol-admin activity publish ID` opens it for hours.

      --start and --end are ISO 8601 times with an offset, e.g. 2026-03-01T09:00:00+08:00 or \
      2026-03-01T01:00:00Z; a time without an offset (2026-03-01T09:00) is read in \
      Asia/Shanghai. --planned-hours is the time planned per volunteer, in hours (e.g. 3 or \
      2.5; sent in whole minutes): more than 0 and at most 24 for every calendar day the \
      activity touches. --region is the GB/T 2260 code of where it takes place (6 digits). \
      --title is 1-100 characters, --place at most 200, --person-in-charge 1-64.

      The request carries an idempotency key (a new UUID unless --idempotency-key is given): \
      repeating the command with the same key and the same details returns the original \
      activity instead of a second one, so reuse the key when retrying after a timeout.

      Example:
        vol-admin activity create --org org-beijing --title "Library reading hour" \\
          --category education --region 110105 --place "Chaoyang Library" \\
          --start 2026-03-01T09:00:00+08:00 --end 2026-03-01T12:00:00+08:00 \\
          --planned-hours 3 --person-in-charge 王芳
      """
  )

  @Option(help: ArgumentHelp("Id of the organisation running the activity.", valueName: "org-id"))
  var org: String

  @Option(help: ArgumentHelp("The title (1-100 characters).", valueName: "text"))
  var title: String

  @Option(help: ArgumentHelp("The kind of service.", valueName: "category"))
  var category: ActivityCategoryArgument

  @Option(
    help: ArgumentHelp("GB/T 2260 code of where it takes place: 6 digits.", valueName: "code"))
  var region: String

  @Option(help: ArgumentHelp("Where it takes place (at most 200 characters).", valueName: "text"))
  var place: String

  @Option(
    help: ArgumentHelp("When it starts, e.g. 2026-03-01T09:00:00+08:00.", valueName: "time"),
    transform: TimeArguments.instant)
  var start: Google_Protobuf_Timestamp

  @Option(
    help: ArgumentHelp("When it ends, e.g. 2026-03-01T12:00:00+08:00.", valueName: "time"),
    transform: TimeArguments.instant)
  var end: Google_Protobuf_Timestamp

  @Option(help: ArgumentHelp("Hours planned per volunteer, e.g. 3 or 2.5.", valueName: "hours"))
  var plannedHours: Double

  @Option(help: ArgumentHelp("Who runs it on the day (1-64 characters).", valueName: "name"))
  var personInCharge: String

  @Option(
    help: ArgumentHelp("Key that makes a retry safe; defaults to a new UUID.", valueName: "key"))
  var idempotencyKey: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try self.makeRequest(idempotencyKey: "validation")
  }

  func run() async throws {
    let key = self.idempotencyKey ?? UUID().uuidString.lowercased()
    let request = try self.makeRequest(idempotencyKey: key)
    let activity = try await self.connection.withClient(
      retryHint: "the outcome is unknown: retry with --idempotency-key \(key)"
    ) { client, options in
      try await Volunteer_V1_Activities.Client(wrapping: client)
        .createActivity(request, options: options)
    }
    let view = ActivityView(activity)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines + [("idempotency key", key)])
    }
  }

  /// Checks the options and builds the request. The server checks again and has the last
  /// word (the region code's province prefix, the organisation).
  func makeRequest(idempotencyKey: String) throws -> Volunteer_V1_CreateActivityRequest {
    var request = Volunteer_V1_CreateActivityRequest()
    let key = try LedgerArguments.text(idempotencyKey, "--idempotency-key", 1...128)
    guard key.utf8.count <= 128 else {
      throw ValidationError("--idempotency-key must be at most 128 bytes.")
    }
    request.idempotencyKey = key
    request.organisationID = try OrganisationArguments.id(self.org, "--org")
    request.title = try LedgerArguments.text(self.title, "--title", 1...100)
    request.category = self.category.proto
    request.regionCode = try OrganisationArguments.regionCode(self.region)
    request.place = try LedgerArguments.text(self.place, "--place", 0...200)
    request.personInCharge = try LedgerArguments.text(
      self.personInCharge, "--person-in-charge", 1...64)
    guard self.start.secondsValue < self.end.secondsValue else {
      throw ValidationError(
        "--end (\(self.end.iso8601)) must be after --start (\(self.start.iso8601)).")
    }
    request.startTime = self.start
    request.endTime = self.end
    let days = Self.calendarDays(from: self.start, to: self.end)
    guard self.plannedHours.isFinite, self.plannedHours > 0 else {
      throw ValidationError("--planned-hours must be a number of hours above 0, e.g. 3 or 2.5.")
    }
    let minutes = (self.plannedHours * 60).rounded()
    guard minutes >= 1, minutes <= Double(24 * 60 * days) else {
      throw ValidationError(
        "--planned-hours must be at most \(24 * days) for an activity touching \(days) "
          + "calendar day\(days == 1 ? "" : "s") in Asia/Shanghai (24 h a day), "
          + "got \(self.plannedHours).")
    }
    request.plannedMinutes = UInt32(minutes)
    return request
  }

  /// Local calendar days in Asia/Shanghai that the half-open window touches, at least 1.
  static func calendarDays(from start: Google_Protobuf_Timestamp, to end: Google_Protobuf_Timestamp)
    -> Int
  {
    func day(_ seconds: Double) -> Int {
      let offset = TimeArguments.shanghai.secondsFromGMT(for: Date(timeIntervalSince1970: seconds))
      return Int(((seconds + Double(offset)) / 86_400).rounded(.down))
    }
    let first = day(start.secondsValue)
    let last = day(end.secondsValue - 0.000_001)
    return max(1, last - first + 1)
  }
}
