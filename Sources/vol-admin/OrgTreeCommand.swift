import ArgumentParser
import WireProtocol

struct OrgTreeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tree",
    abstract: "Print a subtree of the organisation tree, indented.",
    discussion: """
      Calls Organisations.GetSubtree for ID, or for the root of your own scope when ID is \
      left out, and prints one organisation per line, parents before children, as \
      "id  name  (kind, region)", indented by two spaces per level below the subtree's root. \
      With --json, an array of organisation objects in the same order (each with its absolute \
      depth, 0 for the national root). NOT_FOUND if ID does not exist or lies outside your \
      scope.

      Example:
        vol-admin org tree
        vol-admin org tree org-beijing
        vol-admin org tree --json
      """
  )

  @Argument(
    help: ArgumentHelp(
      "The subtree's root; by default the root of your scope.", valueName: "id"))
  var id: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    if let id = self.id {
      _ = try OrganisationArguments.id(id, "<id>")
    }
  }

  func run() async throws {
    var request = Volunteer_V1_GetSubtreeRequest()
    if let id = self.id {
      request.id = try OrganisationArguments.id(id, "<id>")
    }
    let response = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Organisations.Client(wrapping: client)
        .getSubtree(request, options: options)
    }
    let views = response.organisations.map(OrganisationView.init)
    if self.connection.json {
      try Output.json(views)
    } else {
      for line in Self.lines(views) { Console.out(line) }
    }
  }

  /// One line per organisation, indented two spaces per level below the shallowest one
  /// (the subtree's root).
  static func lines(_ views: [OrganisationView]) -> [String] {
    let rootDepth = views.map(\.depth).min() ?? 0
    return views.map { view in
      let indent = String(repeating: "  ", count: max(0, view.depth - rootDepth))
      let name = view.name.isEmpty ? "-" : ConnectionOptions.oneLine(view.name)
      let region = view.regionCode.isEmpty ? "-" : view.regionCode
      return "\(indent)\(view.id)  \(name)  (\(view.kind), \(region))"
    }
  }
}
