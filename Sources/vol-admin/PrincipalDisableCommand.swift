import ArgumentParser
import WireProtocol

struct PrincipalDisableCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "disable",
    abstract: "Disable a principal: its calls are refused until it is enabled again.",
    discussion: """
      Calls Principals.DisablePrincipal and prints the principal. From its next call on, the \
      principal is refused with UNAUTHENTICATED, also on connections it already has open; \
      its records and its enrolment stay, and `vol-admin principal enable` lets it in again. \
      The principal's scope must lie inside yours (NOT_FOUND otherwise). An admin cannot \
      disable itself (FAILED_PRECONDITION): ask another admin of your scope. Disabling a \
      disabled principal changes nothing, so repeating the command is safe.

      Example:
        vol-admin principal disable spiffe://volunteer/partner/beijing-platform
      """
  )

  @Argument(
    help: ArgumentHelp(
      "The principal's id, e.g. spiffe://volunteer/partner/beijing-platform.",
      valueName: "id"))
  var id: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try PrincipalArguments.id(self.id)
  }

  func run() async throws {
    var request = Volunteer_V1_SetPrincipalEnabledRequest()
    request.id = try PrincipalArguments.id(self.id)
    let principal = try await self.connection.withClient(
      retryHint: "the outcome is unknown: repeating the command is safe"
    ) { client, options in
      try await Volunteer_V1_Principals.Client(wrapping: client)
        .disablePrincipal(request, options: options)
    }
    let view = PrincipalView(principal)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }
}
