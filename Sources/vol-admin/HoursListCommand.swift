import ArgumentParser
import Foundation
import WireProtocol

struct HoursListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List a volunteer's records with their approved totals.",
    discussion: """
      Calls Hours.ListRecords, page by page, and prints the volunteer's records inside your \
      scope in the order they were logged (id, status, activity, organisation, start, end, \
      raw minutes, credited hours, \
      late, review reason), then the approved totals the ledger keeps: records, raw minutes \
      and credited hours. Credited hours are shown with one decimal (credited half hours / \
      2). With --json, an object with "records" and the totals.

      Example:
        vol-admin hours list V0000000014
        vol-admin hours list V0000000014 --status pending
        vol-admin hours list V0000000014 --json
      """
  )

  @Argument(help: ArgumentHelp("The volunteer number, e.g. V0000000014.", valueName: "volunteer"))
  var volunteer: String

  @Option(help: ArgumentHelp("Only records in this status: pending, approved or rejected.", valueName: "status"))
  var status: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try LedgerArguments.volunteerNumber(self.volunteer, "<volunteer>")
    _ = try self.statusFilter
  }

  private var statusFilter: Volunteer_V1_RecordStatus {
    get throws {
      switch self.status {
      case nil: .unspecified
      case "pending": .pending
      case "approved": .approved
      case "rejected": .rejected
      case let other?:
        throw ValidationError("--status must be pending, approved or rejected (got '\(other)').")
      }
    }
  }

  func run() async throws {
    var request = Volunteer_V1_ListRecordsRequest()
    request.volunteerNumber = try LedgerArguments.volunteerNumber(self.volunteer, "<volunteer>")
    request.status = try self.statusFilter
    request.pageSize = 1_000
    let response = try await self.connection.withClient { [request] client, options in
      let hours = Volunteer_V1_Hours.Client(wrapping: client)
      return try await readAllPages(request) { try await hours.listRecords($0, options: options) }
    }
    let view = RecordListView(volunteerNumber: request.volunteerNumber, response)
    if self.connection.json {
      try Output.json(view)
      return
    }
    Output.table(
      header: [
        "ID", "STATUS", "ACTIVITY", "ORGANISATION", "START", "END", "MINUTES", "CREDITED H",
        "LATE", "REVIEW",
      ],
      rows: view.records.map {
        [
          $0.id, $0.status, $0.activityID, $0.organisationID, Output.humanTime($0.startTime),
          Output.humanTime($0.endTime), String($0.minutes), $0.creditedHours,
          $0.late ? "late" : "", $0.reviewReason ?? "",
        ]
      })
    Console.out("")
    Output.keyValues([
      ("approved records", String(view.approvedRecords)),
      ("approved minutes", String(view.approvedMinutes)),
      ("approved hours", Output.hours(halfHours: view.approvedCreditedHalfHours)),
    ])
  }
}

struct RecordListView: Encodable {
  var volunteerNumber: String
  var records: [ServiceRecordView]
  var approvedRecords: Int
  var approvedMinutes: Int
  var approvedCreditedHalfHours: Int

  init(volunteerNumber: String, _ response: Volunteer_V1_ListRecordsResponse) {
    self.volunteerNumber = volunteerNumber
    self.records = response.records.map(ServiceRecordView.init)
    self.approvedRecords = Int(response.approvedRecords)
    self.approvedMinutes = Int(response.approvedMinutes)
    self.approvedCreditedHalfHours = Int(response.approvedCreditedHalfHours)
  }

  enum CodingKeys: String, CodingKey {
    case records
    case volunteerNumber = "volunteer_number"
    case approvedRecords = "approved_records"
    case approvedMinutes = "approved_minutes"
    case approvedCreditedHalfHours = "approved_credited_half_hours"
    case approvedHours = "approved_hours"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.volunteerNumber, forKey: .volunteerNumber)
    try container.encode(self.records, forKey: .records)
    try container.encode(self.approvedRecords, forKey: .approvedRecords)
    try container.encode(self.approvedMinutes, forKey: .approvedMinutes)
    try container.encode(self.approvedCreditedHalfHours, forKey: .approvedCreditedHalfHours)
    try container.encode(Double(self.approvedCreditedHalfHours) / 2, forKey: .approvedHours)
  }
}
