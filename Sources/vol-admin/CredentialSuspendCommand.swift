import ArgumentParser
import Foundation
import WireProtocol

struct CredentialSuspendCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "suspend",
    abstract: "Suspend a credential until it is reinstated (admins).",
    discussion: """
      Calls Credentials.SetCredentialStatus with SUSPENDED and prints the credential. The \
      credential's bit is set in the signed suspension status list, so verifiers reject it \
      while it is suspended; `credential reinstate` clears the bit again. A revoked \
      credential cannot be suspended. --reason (1-500 characters) is kept with the \
      credential. Suspending a suspended credential changes nothing.

      Example:
        vol-admin credential suspend VC-2026-000001 --reason "records under review"
      """
  )

  @Argument(help: ArgumentHelp("The credential number, e.g. VC-2026-000001.", valueName: "number"))
  var number: String

  @Option(help: ArgumentHelp("Why (1-500 characters), kept with the credential.", valueName: "text"))
  var reason: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try CredentialStatusChange.request(number: self.number, status: .suspended, reason: self.reason)
  }

  func run() async throws {
    let request = try CredentialStatusChange.request(
      number: self.number, status: .suspended, reason: self.reason)
    try await CredentialStatusChange.send(request, connection: self.connection)
  }
}
