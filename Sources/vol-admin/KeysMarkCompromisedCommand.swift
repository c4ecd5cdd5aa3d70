import ArgumentParser
import Foundation
import WireProtocol

struct KeysMarkCompromisedCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mark-compromised",
    abstract: "Mark a key compromised: everything it ever signed fails verification (admins).",
    discussion: """
      Calls Credentials.MarkKeyCompromised and prints the new key set. Use it when the \
      private key may be known to others. The key stays published with status compromised \
      and the time it was marked, and every credential it signed — whatever its dates — \
      fails verification from then on, with the service, with `credential verify --jwks` \
      against the new key set, and with any third party that refreshes the key set. \
      Re-issue the affected credentials with the new signing key (rotate first if the \
      compromised key is the one that signs now). This cannot be undone.

      On a terminal the command asks for confirmation first (any answer but y or yes changes \
      nothing and exits 2); --yes skips the question. When standard input is not a terminal \
      (a script), --yes is required. Marking a compromised key again changes nothing.

      Example:
        vol-admin keys mark-compromised kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
        vol-admin keys mark-compromised kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k --yes
      """
  )

  @Argument(help: ArgumentHelp("The key id, as `keys list` shows it.", valueName: "kid"))
  var kid: String

  @Flag(help: "Do not ask for confirmation (required when standard input is not a terminal).")
  var yes = false

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try CredentialArguments.kid(self.kid, "<kid>")
  }

  func run() async throws {
    var request = Volunteer_V1_KeyRequest()
    request.kid = try CredentialArguments.kid(self.kid, "<kid>")
    try Confirmation.require(
      yes: self.yes, what: "marking key \(request.kid) compromised",
      question: "Mark key \(request.kid) compromised? Every credential it ever signed will fail "
        + "verification, and this cannot be undone.")
    let keySet = try await self.connection.withClient(
      retryHint: "the outcome is unknown: repeating the command is safe"
    ) { client, options in
      try await Volunteer_V1_Credentials.Client(wrapping: client).markKeyCompromised(request, options: options)
    }
    try KeySetView(keySet).print(json: self.connection.json)
  }
}
