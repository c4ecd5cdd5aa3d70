import ArgumentParser
import Foundation
import WireProtocol

struct CredentialRevokeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "revoke",
    abstract: "Revoke a credential for good (admins).",
    discussion: """
      Calls Credentials.SetCredentialStatus with REVOKED and prints the credential. The \
      credential's bit is set in the signed revocation status list, so every verifier — the \
      service, `credential verify` on a later export, or any third party holding the list — \
      rejects it from then on. Revocation is final: a revoked credential cannot be \
      reinstated (issue a new one instead). To withdraw a credential for a while, use \
      `credential suspend`. --reason (1-500 characters) is kept with the credential.

      On a terminal the command asks for confirmation first (any answer but y or yes revokes \
      nothing and exits 2); --yes skips the question. When standard input is not a terminal \
      (a script), --yes is required. Revoking a revoked credential changes nothing, so \
      repeating the command is safe.

      Example:
        vol-admin credential revoke VC-2026-000001 --reason "hours found to be falsified"
        vol-admin credential revoke VC-2026-000001 --reason "issued in error" --yes
      """
  )

  @Argument(help: ArgumentHelp("The credential number, e.g. VC-2026-000001.", valueName: "number"))
  var number: String

  @Option(help: ArgumentHelp("Why (1-500 characters), kept with the credential.", valueName: "text"))
  var reason: String

  @Flag(help: "Do not ask for confirmation (required when standard input is not a terminal).")
  var yes = false

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try CredentialStatusChange.request(number: self.number, status: .revoked, reason: self.reason)
  }

  func run() async throws {
    let request = try CredentialStatusChange.request(
      number: self.number, status: .revoked, reason: self.reason)
    try Confirmation.require(
      yes: self.yes, what: "revoking credential \(request.number)",
      question: "Revoke credential \(request.number)? Revocation is final: every verifier will "
        + "reject it from now on, and it cannot be reinstated.")
    try await CredentialStatusChange.send(request, connection: self.connection)
  }
}
