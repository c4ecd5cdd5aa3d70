import ArgumentParser
import Foundation
import WireProtocol

struct PrincipalAddCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Enrol a certificate identity as a principal with a role and scope.",
    discussion: """
      Calls Principals.AddPrincipal and prints the new principal. ID is the identity the \
      service reads from the client certificate: its URI SAN (e.g. \
      spiffe://volunteer/partner/NAME; certs/dev-pki.sh client NAME URI makes a dev \
      certificate for one), else its subject CN. The scope is the organisation at the root \
      of the subtree the principal may act in, and must lie inside your own scope. \
      ALREADY_EXISTS if the id is taken.

      Roles: admin manages organisations, principals, hours and credentials; partner writes \
      registrations and hours; auditor reads and exports, writes nothing.

      Example:
        vol-admin principal add spiffe://volunteer/partner/beijing-platform \\
          --role partner --scope org-beijing --name "Beijing volunteer platform"
      """
  )

  @Argument(
    help: ArgumentHelp(
      "The certificate identity, e.g. spiffe://volunteer/partner/beijing-platform.",
      valueName: "id"))
  var id: String

  @Option(help: ArgumentHelp("The principal's role.", valueName: "role"))
  var role: RoleArgument

  @Option(help: ArgumentHelp("Organisation id at the root of the principal's scope.", valueName: "org-id"))
  var scope: String

  @Option(help: ArgumentHelp("A display name for people reading lists and audit logs.", valueName: "display"))
  var name: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try self.makeRequest()
  }

  func run() async throws {
    let request = try self.makeRequest()
    let principal = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Principals.Client(wrapping: client)
        .addPrincipal(request, options: options)
    }
    let view = PrincipalView(principal)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }

  func makeRequest() throws -> Volunteer_V1_AddPrincipalRequest {
    let id = try PrincipalArguments.id(self.id)
    let scope = self.scope.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !scope.isEmpty else {
      throw ValidationError("--scope must be an organisation id, e.g. org-beijing.")
    }
    var request = Volunteer_V1_AddPrincipalRequest()
    request.id = id
    request.role = self.role.proto
    request.scopeOrganisationID = scope
    request.displayName = self.name?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    return request
  }
}
