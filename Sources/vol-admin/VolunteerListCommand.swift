import ArgumentParser
import Foundation
import SwiftProtobuf
import WireProtocol

struct VolunteerListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List the volunteers of an organisation subtree, oldest registration first.",
    discussion: """
      Calls Volunteers.ListVolunteers and prints a table (number, name, document, birth date, \
      sex, organisation, registered at, withdrawn at); with --json, an array of volunteer \
      objects. Names, document numbers and phones are shown unmasked only to admins.

      --org picks the subtree (default: your whole scope; NOT_FOUND if it lies outside it). \
      --from and --before keep volunteers registered at or after / before a moment: a date \
      YYYY-MM-DD (the start of that day in Asia/Shanghai) or an ISO 8601 time with offset, \
      such as 2026-03-01T09:00:00+08:00 (a time without offset is read in Asia/Shanghai). \
      Withdrawn volunteers are left out unless --include-withdrawn is given.

      The service answers a page at a time (--page-size, 1-500, default 50). Without --all \
      one page is printed, and if there are more, standard error says how to get the next \
      one (--page-token); --all follows the pages to the end (500 at a time unless \
      --page-size says otherwise) and prints them as one table or one JSON array.

      Example:
        vol-admin volunteer list --org org-beijing
        vol-admin volunteer list --org org-beijing --from 2026-01-01 --all --json
        vol-admin volunteer list --include-withdrawn --page-size 100
      """
  )

  @Option(
    help: ArgumentHelp("Root of the subtree to list; default: your scope.", valueName: "org-id"))
  var org: String?

  @Option(
    help: ArgumentHelp(
      "Only volunteers registered at or after this date or time.", valueName: "date|time"),
    transform: TimeArguments.bound)
  var from: Google_Protobuf_Timestamp?

  @Option(
    help: ArgumentHelp(
      "Only volunteers registered before this date or time.", valueName: "date|time"),
    transform: TimeArguments.bound)
  var before: Google_Protobuf_Timestamp?

  @Flag(help: "Include withdrawn volunteers (their personal details are gone).")
  var includeWithdrawn = false

  @Option(
    help: ArgumentHelp(
      "Volunteers per page, 1-500 (default 50, or 500 with --all).", valueName: "n"))
  var pageSize: Int?

  @Option(
    help: ArgumentHelp("Continue after an earlier page: its next-page token.", valueName: "token"))
  var pageToken: String?

  @Flag(help: "Follow the pages to the end and print every volunteer.")
  var all = false

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try self.makeRequest()
  }

  func makeRequest() throws -> Volunteer_V1_ListVolunteersRequest {
    var request = Volunteer_V1_ListVolunteersRequest()
    if let org = self.org {
      request.organisationID = try OrganisationArguments.id(org, "--org")
    }
    if let from = self.from { request.registeredFrom = from }
    if let before = self.before { request.registeredBefore = before }
    if let from = self.from, let before = self.before, from.secondsValue >= before.secondsValue {
      throw ValidationError("--from must be earlier than --before.")
    }
    request.includeWithdrawn = self.includeWithdrawn
    if let pageSize = self.pageSize {
      guard (1...500).contains(pageSize) else {
        throw ValidationError("--page-size must be between 1 and 500, not \(pageSize).")
      }
      request.pageSize = UInt32(pageSize)
    } else if self.all {
      request.pageSize = 500
    }
    if let token = self.pageToken {
      let token = token.trimmingCharacters(in: .whitespacesAndNewlines)
      guard !token.isEmpty else { throw ValidationError("--page-token must not be empty.") }
      request.pageToken = token
    }
    return request
  }

  func run() async throws {
    let first = try self.makeRequest()
    let all = self.all
    let (volunteers, nextToken) = try await self.connection.withClient { client, options in
      let service = Volunteer_V1_Volunteers.Client(wrapping: client)
      var request = first
      var volunteers: [Volunteer_V1_Volunteer] = []
      while true {
        let page = try await service.listVolunteers(request, options: options)
        volunteers += page.volunteers
        guard all, !page.nextPageToken.isEmpty else {
          return (volunteers, page.nextPageToken)
        }
        request.pageToken = page.nextPageToken
      }
    }
    let views = volunteers.map(VolunteerView.init)
    if self.connection.json {
      try Output.json(views)
    } else {
      Output.table(
        header: [
          "NUMBER", "NAME", "DOCUMENT", "BIRTH DATE", "SEX", "ORGANISATION", "REGISTERED AT",
          "WITHDRAWN AT",
        ],
        rows: views.map {
          [
            $0.volunteerNumber, $0.realName,
            $0.documentNumber.isEmpty ? "" : "\($0.documentType) \($0.documentNumber)",
            $0.birthDate ?? "", $0.sex ?? "", $0.organisationID, Output.humanTime($0.registeredAt),
            Output.humanTime($0.withdrawnAt),
          ]
        })
    }
    if !nextToken.isEmpty {
      Console.error(
        "\(views.count) volunteer\(views.count == 1 ? "" : "s") shown; more follow: repeat with "
          + "--page-token \(nextToken), or use --all.")
    }
  }
}
