import ArgumentParser
import Foundation
import WireProtocol

struct CredentialShowCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show a credential by number, or print its token.",
    discussion: """
      Calls Credentials.GetCredential (credentials of your scope only) and prints the \
      credential's number, volunteer, organisation, current status (with the reason and time \
      of the last change), star level, policy, evidence digest, validity and signing key. \
      With --json the object also holds the token.

      --token prints only the compact JWS (VC-JWT) on one line, so it can be piped into \
      `credential verify-token -`, saved, or handed to any JOSE library.

      Example:
        vol-admin credential show VC-2026-000001
        vol-admin credential show VC-2026-000001 --token > credential.jwt
        vol-admin credential show VC-2026-000001 --token | vol-admin credential verify-token -
      """
  )

  @Argument(help: ArgumentHelp("The credential number, e.g. VC-2026-000001.", valueName: "number"))
  var number: String

  @Flag(help: "Print only the compact JWS.")
  var token = false

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try CredentialArguments.number(self.number, "<number>")
    if self.token, self.connection.json {
      throw ValidationError("--token prints the bare token; leave out --json (the JSON has a \"token\" member).")
    }
  }

  func run() async throws {
    var request = Volunteer_V1_GetCredentialRequest()
    request.number = try CredentialArguments.number(self.number, "<number>")
    let credential = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Credentials.Client(wrapping: client).getCredential(request, options: options)
    }
    if self.token {
      guard !credential.token.isEmpty else {
        Console.error("error: the service sent credential \(request.number) without its token.")
        throw ExitCode(ExitStatus.serverError)
      }
      Console.out(credential.token)
      return
    }
    let view = CredentialView(credential)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }
}
