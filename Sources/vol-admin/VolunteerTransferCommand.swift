import ArgumentParser
import Foundation
import WireProtocol

struct VolunteerTransferCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transfer",
    abstract: "Move a volunteer to another organisation, with a reason kept in their history.",
    discussion: """
      Calls Volunteers.TransferVolunteer and prints the volunteer with their transfer history. \
      Both the volunteer and the organisation --to must lie inside your scope (NOT_FOUND \
      otherwise). Hours already logged keep the organisation they were recorded under; only \
      new records go to the new one. --reason (1-200 characters) is kept with the move.

      A transfer carries no idempotency key: if the outcome is unknown (a timeout), look at \
      the volunteer with `vol-admin volunteer show NUMBER` before repeating it.

      Example:
        vol-admin volunteer transfer V0000000014 --to org-bj-chaoyang \\
          --reason "moved to Chaoyang District"
      """
  )

  @Argument(help: ArgumentHelp("The volunteer number, e.g. V0000000014.", valueName: "number"))
  var number: String

  @Option(help: ArgumentHelp("Id of the organisation the volunteer moves to.", valueName: "org-id"))
  var to: String

  @Option(help: ArgumentHelp("Why the volunteer moves (1-200 characters).", valueName: "text"))
  var reason: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try self.makeRequest()
  }

  func makeRequest() throws -> Volunteer_V1_TransferVolunteerRequest {
    var request = Volunteer_V1_TransferVolunteerRequest()
    request.volunteerNumber = try LedgerArguments.volunteerNumber(self.number, "<number>")
    request.toOrganisationID = try OrganisationArguments.id(self.to, "--to")
    request.reason = try LedgerArguments.text(self.reason, "--reason", 1...200)
    return request
  }

  func run() async throws {
    let request = try self.makeRequest()
    let volunteer = try await self.connection.withClient(
      retryHint: "the outcome is unknown: check with vol-admin volunteer show "
        + "\(request.volunteerNumber) before repeating"
    ) { client, options in
      try await Volunteer_V1_Volunteers.Client(wrapping: client)
        .transferVolunteer(request, options: options)
    }
    let view = VolunteerView(volunteer)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }
}
