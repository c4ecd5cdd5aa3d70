import ArgumentParser
import Foundation
import SwiftProtobuf
import WireProtocol

struct ActivityListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List the activities of an organisation subtree.",
    discussion: """
      Calls Activities.ListActivities and prints a table (id, status, category, organisation, \
      start, end, planned hours, title); with --json, an array of activity objects.

      --org picks the subtree (default: your whole scope; NOT_FOUND if it lies outside it). \
      --from and --before keep the activities that overlap [from, before): each is a date \
      YYYY-MM-DD (the start of that day in Asia/Shanghai) or an ISO 8601 time with offset, \
      such as 2026-03-01T09:00:00+08:00 (a time without offset is read in Asia/Shanghai).

      Example:
        vol-admin activity list
        vol-admin activity list --org org-beijing --from 2026-03-01 --before 2026-04-01
        vol-admin activity list --json
      """
  )

  @Option(help: ArgumentHelp("Root of the subtree; default: your scope.", valueName: "org-id"))
  var org: String?

  @Option(
    help: ArgumentHelp(
      "Only activities still running at or after this date or time.", valueName: "date|time"),
    transform: TimeArguments.bound)
  var from: Google_Protobuf_Timestamp?

  @Option(
    help: ArgumentHelp(
      "Only activities starting before this date or time.", valueName: "date|time"),
    transform: TimeArguments.bound)
  var before: Google_Protobuf_Timestamp?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try self.makeRequest()
  }

  func makeRequest() throws -> Volunteer_V1_ListActivitiesRequest {
    var request = Volunteer_V1_ListActivitiesRequest()
    if let org = self.org {
      request.organisationID = try OrganisationArguments.id(org, "--org")
    }
    if let from = self.from { request.from = from }
    if let before = self.before { request.before = before }
    if let from = self.from, let before = self.before, from.secondsValue >= before.secondsValue {
      throw ValidationError("--from must be earlier than --before.")
    }
    return request
  }

  func run() async throws {
    var request = try self.makeRequest()
    request.pageSize = 500
    let response = try await self.connection.withClient { [request] client, options in
      let activities = Volunteer_V1_Activities.Client(wrapping: client)
      return try await readAllPages(request) { try await activities.listActivities($0, options: options) }
    }
    let views = response.activities.map(ActivityView.init)
    if self.connection.json {
      try Output.json(views)
      return
    }
    Output.table(
      header: ["ID", "STATUS", "CATEGORY", "ORGANISATION", "START", "END", "PLANNED H", "TITLE"],
      rows: views.map {
        [
          $0.id, $0.status, $0.category, $0.organisationID, Output.humanTime($0.startTime),
          Output.humanTime($0.endTime), Output.hours(minutes: $0.plannedMinutes), $0.title,
        ]
      })
  }
}
