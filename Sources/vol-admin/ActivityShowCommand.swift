import ArgumentParser
import WireProtocol

struct ActivityShowCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show one activity by id.",
    discussion: """
      Calls Activities.GetActivity and prints the activity. NOT_FOUND both for an unknown id \
      and for an activity outside your scope.

      Example:
        vol-admin activity show A000000001
        vol-admin activity show A000000001 --json
      """
  )

  @Argument(help: ArgumentHelp("The activity id, e.g. A000000001.", valueName: "id"))
  var id: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try LedgerArguments.serviceID(self.id, "<id>", example: "A000000001")
  }

  func run() async throws {
    var request = Volunteer_V1_ActivityRef()
    request.id = try LedgerArguments.serviceID(self.id, "<id>", example: "A000000001")
    let activity = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Activities.Client(wrapping: client)
        .getActivity(request, options: options)
    }
    let view = ActivityView(activity)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }
}
