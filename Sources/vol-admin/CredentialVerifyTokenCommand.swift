import ArgumentParser
import Foundation
import WireProtocol

struct CredentialVerifyTokenCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify-token",
    abstract: "Ask the service whether a presented credential token is valid now.",
    discussion: """
      Calls Credentials.VerifyCredential with a compact JWS (VC-JWT) as a holder presents it: \
      the service checks the signature against its key set, the signing key's status at \
      issue time (a key marked compromised fails everything it signed), the claims, and the \
      credential's current revocation and suspension status. Prints "valid: yes" or \
      "valid: no" with one line per problem, the credential number, its status and the key \
      id. Exits 0 when the token is valid and 1 when it is not.

      Pass the token as the argument, or - to read it from standard input (surrounding \
      whitespace is ignored). To check a credential without the service, export a bundle \
      and use `credential verify`.

      Example:
        vol-admin credential verify-token eyJhbGciOiJFZERTQSIs...
        vol-admin credential show VC-2026-000001 --token | vol-admin credential verify-token -
        vol-admin credential verify-token - < credential.jwt
      """
  )

  @Argument(help: ArgumentHelp("The compact JWS, or - to read it from standard input.", valueName: "token|-"))
  var token: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    if self.token != "-" {
      _ = try CredentialArguments.token(self.token, "<token>")
    }
  }

  func run() async throws {
    var request = Volunteer_V1_VerifyCredentialRequest()
    if self.token == "-" {
      let data = FileHandle.standardInput.readDataToEndOfFile()
      guard let text = String(data: data, encoding: .utf8) else {
        Console.error("error: standard input is not UTF-8 text; expected a compact JWS.")
        throw ExitCode(ExitStatus.usage)
      }
      do {
        request.token = try CredentialArguments.token(text, "the token on standard input")
      } catch let error as ValidationError {
        Console.error("error: \(error.message)")
        throw ExitCode(ExitStatus.usage)
      }
    } else {
      request.token = try CredentialArguments.token(self.token, "<token>")
    }
    let response = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Credentials.Client(wrapping: client).verifyCredential(request, options: options)
    }
    let view = TokenVerificationView(response)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(
        [
          ("valid", view.valid ? "yes" : "no"),
          ("number", view.number ?? ""),
          ("status", view.status ?? ""),
          ("key id", view.kid ?? ""),
        ] + view.problems.map { ("problem", $0) })
    }
    if !view.valid {
      throw ExitCode(ExitStatus.serverError)
    }
  }
}
