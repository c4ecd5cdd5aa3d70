import ArgumentParser
import Foundation
import WireProtocol

struct CredentialReinstateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reinstate",
    abstract: "Reinstate a suspended credential (admins).",
    discussion: """
      Calls Credentials.SetCredentialStatus with ACTIVE and prints the credential. The \
      credential's bit is cleared in the suspension status list, so it verifies again. Only \
      a suspension can be lifted: a revoked credential stays revoked. --reason (1-500 \
      characters) is kept with the credential.

      Example:
        vol-admin credential reinstate VC-2026-000001 --reason "review closed, records confirmed"
      """
  )

  @Argument(help: ArgumentHelp("The credential number, e.g. VC-2026-000001.", valueName: "number"))
  var number: String

  @Option(help: ArgumentHelp("Why (1-500 characters), kept with the credential.", valueName: "text"))
  var reason: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try CredentialStatusChange.request(number: self.number, status: .active, reason: self.reason)
  }

  func run() async throws {
    let request = try CredentialStatusChange.request(
      number: self.number, status: .active, reason: self.reason)
    try await CredentialStatusChange.send(request, connection: self.connection)
  }
}
