import ArgumentParser
import WireProtocol

struct OrgShowCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show one organisation.",
    discussion: """
      Calls Organisations.GetOrganisation and prints the organisation: id, parent, kind, \
      name, region code, depth (0 for the national root) and creation time. The service \
      answers NOT_FOUND both for an unknown id and for an organisation outside your scope.

      Example:
        vol-admin org show org-beijing
        vol-admin org show org-beijing --json
      """
  )

  @Argument(help: ArgumentHelp("The organisation id, e.g. org-beijing.", valueName: "id"))
  var id: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try OrganisationArguments.id(self.id, "<id>")
  }

  func run() async throws {
    var request = Volunteer_V1_GetOrganisationRequest()
    request.id = try OrganisationArguments.id(self.id, "<id>")
    let organisation = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Organisations.Client(wrapping: client)
        .getOrganisation(request, options: options)
    }
    let view = OrganisationView(organisation)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }
}
