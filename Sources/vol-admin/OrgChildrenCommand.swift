import ArgumentParser
import WireProtocol

struct OrgChildrenCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "children",
    abstract: "List the direct children of an organisation.",
    discussion: """
      Calls Organisations.ListChildren and prints a table (id, kind, name, region, created \
      at); with --json, an array of organisation objects. NOT_FOUND if the organisation does \
      not exist or lies outside your scope; an organisation without children prints only the \
      header (or []).

      Example:
        vol-admin org children national
        vol-admin org children org-beijing --json
      """
  )

  @Argument(help: ArgumentHelp("The parent organisation's id, e.g. national.", valueName: "id"))
  var id: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try OrganisationArguments.id(self.id, "<id>")
  }

  func run() async throws {
    var request = Volunteer_V1_ListChildrenRequest()
    request.id = try OrganisationArguments.id(self.id, "<id>")
    let response = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Organisations.Client(wrapping: client)
        .listChildren(request, options: options)
    }
    let views = response.organisations.map(OrganisationView.init)
    if self.connection.json {
      try Output.json(views)
      return
    }
    Output.table(
      header: ["ID", "KIND", "NAME", "REGION", "CREATED AT"],
      rows: views.map { [$0.id, $0.kind, $0.name, $0.regionCode, Output.humanTime($0.createdAt)] }
    )
  }
}
