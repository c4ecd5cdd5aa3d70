import ArgumentParser
import WireProtocol

struct PrincipalEnableCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "enable",
    abstract: "Enable a disabled principal again.",
    discussion: """
      Calls Principals.EnablePrincipal and prints the principal; its calls are accepted again \
      with the role and scope it had. The principal's scope must lie inside yours (NOT_FOUND \
      otherwise). Enabling an enabled principal changes nothing, so repeating the command is \
      safe.

      Example:
        vol-admin principal enable spiffe://volunteer/partner/beijing-platform
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
        .enablePrincipal(request, options: options)
    }
    let view = PrincipalView(principal)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }
}
