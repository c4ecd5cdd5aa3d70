import ArgumentParser
import Foundation
import WireProtocol

struct HoursRejectCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reject",
    abstract:
      "Reject pending records with a reason (admins of the organisation running the activity).",
    discussion: """
      Calls Hours.RejectRecords with up to 1,000 record ids and prints one line per record: \
      rejected, or refused with the reason (e.g. it is approved already: approved records \
      are never changed). --reason (1-500 characters) is kept with each rejection and shown \
      to the partner. A rejected record no longer blocks an overlapping one, so the partner \
      can submit a corrected record. The exit code is 1 if any record was refused.

      Example:
        vol-admin hours reject R000000003 --reason "the volunteer was not at the activity"
      """
  )

  @Argument(help: ArgumentHelp("Ids of the records to reject, e.g. R000000003.", valueName: "id"))
  var ids: [String]

  @Option(help: ArgumentHelp("Why (1-500 characters), kept with the record.", valueName: "text"))
  var reason: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try self.makeRequest()
  }

  func makeRequest() throws -> Volunteer_V1_ReviewRecordsRequest {
    var request = Volunteer_V1_ReviewRecordsRequest()
    request.recordIds = try ReviewArguments.ids(self.ids)
    request.reason = try LedgerArguments.text(self.reason, "--reason", 1...500)
    return request
  }

  func run() async throws {
    let request = try self.makeRequest()
    let response = try await self.connection.withClient(
      retryHint: "the outcome is unknown: repeating the command is safe"
    ) { client, options in
      try await Volunteer_V1_Hours.Client(wrapping: client).rejectRecords(request, options: options)
    }
    try ReviewResultView.report(response, json: self.connection.json)
  }
}
