import ArgumentParser
import Foundation
import WireProtocol

struct VolunteerShowCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show one volunteer by volunteer number.",
    discussion: """
      Calls Volunteers.GetVolunteer. The service answers NOT_FOUND both for an unknown number \
      and for a volunteer outside your certificate's scope. Real name, document number and \
      phone are shown unmasked only to admins.

      Example:
        vol-admin volunteer show V2026000122
        vol-admin volunteer show V2026000122 --json
      """
  )

  @Argument(help: ArgumentHelp("The volunteer number, e.g. V2026000122.", valueName: "number"))
  var number: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try LedgerArguments.volunteerNumber(self.number, "<number>")
  }

  func run() async throws {
    var request = Volunteer_V1_GetVolunteerRequest()
    request.volunteerNumber = try LedgerArguments.volunteerNumber(self.number, "<number>")
    let volunteer = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Volunteers.Client(wrapping: client)
        .getVolunteer(request, options: options)
    }
    let view = VolunteerView(volunteer)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }
}
