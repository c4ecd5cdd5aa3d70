import ArgumentParser
import WireProtocol

struct ActivityCloseCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "close",
    abstract: "Close a published activity; late hours can still be logged, flagged late.",
    discussion: """
      Calls Activities.CloseActivity (published → closed) and prints the activity. A closed \
      activity is final; hours can still be logged against it (entered more than 10 working \
      days after its end they are flagged late). A draft must be published before it can be \
      closed. After a timeout check with `vol-admin activity show ID` before repeating.

      Example:
        vol-admin activity close A000000001
        vol-admin activity close A000000001 --json
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
        .closeActivity(request, options: options)
    }
    let view = ActivityView(activity)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }
}
