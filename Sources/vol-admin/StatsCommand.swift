import ArgumentParser
import Foundation
import SwiftProtobuf
import WireProtocol

struct StatsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stats",
    abstract: "Show an organisation subtree's statistics, computed from the ledger.",
    discussion: """
      Calls Statistics.GetStatistics for the subtree rooted at ORG (your own scope when \
      omitted): registered volunteers, volunteers active in the last 12 months, approved \
      minutes and credited hours, approved records, activities, the star distribution \
      (by the default policy's thresholds; national: 100/300/600/1000/1500 h) and the share of late entries. \
      --from and --before bound the records, hours and activities counted: a date (start of \
      that day in Asia/Shanghai) or an ISO 8601 time.

      Example:
        vol-admin stats beijing --from 2026-01-01 --before 2027-01-01
        vol-admin stats --json
      """
  )

  @Argument(help: ArgumentHelp("Root of the subtree; your scope when omitted.", valueName: "org"))
  var organisation: String?

  @Option(help: ArgumentHelp("Count from this date or time.", valueName: "date|time"), transform: TimeArguments.bound)
  var from: Google_Protobuf_Timestamp?

  @Option(help: ArgumentHelp("Count until before this date or time (default: now).", valueName: "date|time"), transform: TimeArguments.bound)
  var before: Google_Protobuf_Timestamp?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    if let from = self.from, let before = self.before, from.secondsValue >= before.secondsValue {
      throw ValidationError("--from must be earlier than --before.")
    }
  }

  func run() async throws {
    var request = Volunteer_V1_GetStatisticsRequest()
    request.organisationID = self.organisation ?? ""
    if let from = self.from { request.from = from }
    if let before = self.before { request.before = before }
    let statistics = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Statistics.Client(wrapping: client).getStatistics(request, options: options)
    }
    let view = StatisticsView(statistics)
    if self.connection.json {
      try Output.json(view)
      return
    }
    Output.keyValues([
      ("organisation", view.organisationID),
      ("from", view.from ?? "the beginning"),
      ("before", view.before ?? "now"),
      ("registered volunteers", String(view.registeredVolunteers)),
      ("active volunteers", String(view.activeVolunteers)),
      ("approved records", String(view.approvedRecords)),
      ("approved minutes", String(view.approvedMinutes)),
      ("approved hours", Output.hours(halfHours: view.approvedCreditedHalfHours)),
      ("activities", String(view.activities)),
      ("stars 0-5", view.starDistribution.map(String.init).joined(separator: " / ")),
      ("late entries", String(format: "%.1f %%", view.lateEntryShare * 100)),
    ])
  }
}

struct StatisticsView: Encodable {
  var organisationID: String
  var from: String?
  var before: String?
  var registeredVolunteers: Int
  var activeVolunteers: Int
  var approvedMinutes: Int
  var approvedCreditedHalfHours: Int
  var approvedRecords: Int
  var activities: Int
  var starDistribution: [Int]
  var lateEntryShare: Double

  init(_ statistics: Volunteer_V1_OrganisationStatistics) {
    self.organisationID = statistics.organisationID
    self.from = statistics.hasFrom ? statistics.from.date.formatted(.iso8601) : nil
    self.before = statistics.hasBefore ? statistics.before.date.formatted(.iso8601) : nil
    self.registeredVolunteers = Int(statistics.registeredVolunteers)
    self.activeVolunteers = Int(statistics.activeVolunteers)
    self.approvedMinutes = Int(statistics.approvedMinutes)
    self.approvedCreditedHalfHours = Int(statistics.approvedCreditedHalfHours)
    self.approvedRecords = Int(statistics.approvedRecords)
    self.activities = Int(statistics.activities)
    self.starDistribution = statistics.starDistribution.map { Int($0) }
    self.lateEntryShare = statistics.lateEntryShare
  }

  enum CodingKeys: String, CodingKey {
    case organisationID = "organisation_id"
    case from, before
    case registeredVolunteers = "registered_volunteers"
    case activeVolunteers = "active_volunteers"
    case approvedMinutes = "approved_minutes"
    case approvedCreditedHalfHours = "approved_credited_half_hours"
    case approvedRecords = "approved_records"
    case activities
    case starDistribution = "star_distribution"
    case lateEntryShare = "late_entry_share"
  }
}
