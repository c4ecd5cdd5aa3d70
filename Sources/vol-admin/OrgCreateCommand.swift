import ArgumentParser
import Foundation
import WireProtocol

struct OrgCreateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "create",
    abstract: "Create an organisation under a parent inside your scope (admins only).",
    discussion: """
      Calls Organisations.CreateOrganisation and prints the new organisation. ID is 1-64 \
      characters from a-z, 0-9 and "-"; it is permanent and unique in the whole tree. The \
      parent must lie inside your scope (NOT_FOUND otherwise). --region is the GB/T 2260 \
      region code of the area the organisation serves: 6 digits whose first two are a \
      province-level prefix (e.g. 110000 Beijing, 110105 Chaoyang District); a well-formed \
      code the service does not know is accepted, as codes change over the years. \
      ALREADY_EXISTS if the id is taken.

      Example:
        vol-admin org create org-beijing --parent national --kind province \\
          --name 北京市志愿者联合会 --region 110000
        vol-admin org create org-bj-chaoyang --parent org-beijing --kind county \\
          --name "Chaoyang District volunteers" --region 110105
      """
  )

  @Argument(help: ArgumentHelp("The new organisation's id, e.g. org-beijing.", valueName: "id"))
  var id: String

  @Option(help: ArgumentHelp("Id of the parent organisation.", valueName: "parent-id"))
  var parent: String

  @Option(help: ArgumentHelp("The kind of organisation.", valueName: "kind"))
  var kind: OrganisationKindArgument

  @Option(help: ArgumentHelp("The organisation's name (1-100 characters).", valueName: "name"))
  var name: String

  @Option(help: ArgumentHelp("GB/T 2260 region code: 6 digits, e.g. 110000.", valueName: "code"))
  var region: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try self.makeRequest()
  }

  func run() async throws {
    let request = try self.makeRequest()
    let organisation = try await self.connection.withClient(
      retryHint: "the outcome is unknown: check with vol-admin org show \(request.id)"
    ) { client, options in
      try await Volunteer_V1_Organisations.Client(wrapping: client)
        .createOrganisation(request, options: options)
    }
    let view = OrganisationView(organisation)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }

  /// Checks the arguments and builds the request. The server checks again and has the
  /// last word (it also checks the region code's province prefix).
  func makeRequest() throws -> Volunteer_V1_CreateOrganisationRequest {
    var request = Volunteer_V1_CreateOrganisationRequest()
    request.id = try OrganisationArguments.id(self.id, "<id>")
    request.parentID = try OrganisationArguments.id(self.parent, "--parent")
    request.kind = self.kind.proto
    let name = self.name.trimmingCharacters(in: .whitespacesAndNewlines)
    guard (1...100).contains(name.count) else {
      let got = name.isEmpty ? "an empty name" : "\(name.count) characters"
      throw ValidationError("--name must be 1-100 characters, got \(got).")
    }
    request.name = name
    request.regionCode = try OrganisationArguments.regionCode(self.region)
    return request
  }
}
