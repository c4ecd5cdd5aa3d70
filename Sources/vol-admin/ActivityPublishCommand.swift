import ArgumentParser
import WireProtocol

struct ActivityPublishCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "publish",
    abstract: "Publish a draft activity: hours can now be logged against it.",
    discussion: """
      Calls Activities.PublishActivity (draft → published) and prints the activity. Only a \
      draft can be published; a published activity cannot go back to draft. Publishing a \
      published activity is refused (INVALID_ARGUMENT naming its status), so after a timeout \
      check with `vol-admin activity show ID` before repeating.

      Example:
        vol-admin activity publish A000000001
        vol-admin activity publish A000000001 --json
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
    let activity = try await self.connection.withClient(
      retryHint: "the outcome is unknown: check with vol-admin activity show \(request.id)"
    ) { client, options in
      try await Volunteer_V1_Activities.Client(wrapping: client)
        .publishActivity(request, options: options)
    }
    let view = ActivityView(activity)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }
}
