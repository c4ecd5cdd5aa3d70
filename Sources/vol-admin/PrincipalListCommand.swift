import ArgumentParser
import WireProtocol

struct PrincipalListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List the principals whose scope lies inside yours.",
    discussion: """
      Calls Principals.ListPrincipals and prints a table (id, role, scope, display name, \
      enabled, created at/by); with --json, an array of principal objects.

      Example:
        vol-admin principal list
        vol-admin principal list --json
      """
  )

  @OptionGroup
  var connection: ConnectionOptions

  func run() async throws {
    let response = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Principals.Client(wrapping: client)
        .listPrincipals(Volunteer_V1_ListPrincipalsRequest(), options: options)
    }
    let views = response.principals.map(PrincipalView.init)
    if self.connection.json {
      try Output.json(views)
      return
    }
    Output.table(
      header: ["ID", "ROLE", "SCOPE", "NAME", "ENABLED", "CREATED AT", "CREATED BY"],
      rows: views.map {
        [
          $0.id, $0.role, $0.scopeOrganisationID, $0.displayName, $0.enabled ? "yes" : "no",
          Output.humanTime($0.createdAt), $0.createdBy,
        ]
      }
    )
  }
}
