import ArgumentParser
import Foundation
import WireProtocol

struct KeysRetireCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "retire",
    abstract: "Stop a key from signing; it stays published (admins).",
    discussion: """
      Calls Credentials.RetireKey and prints the new key set. A retired key signs nothing \
      more but stays in the published key set, so the credentials it signed before keep \
      verifying. To retire the key that signs now, rotate first (`keys rotate`): the service \
      refuses to leave nothing to sign with. If the private key may have leaked, use \
      `keys mark-compromised` instead.

      Example:
        vol-admin keys retire kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
      """
  )

  @Argument(help: ArgumentHelp("The key id, as `keys list` shows it.", valueName: "kid"))
  var kid: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try CredentialArguments.kid(self.kid, "<kid>")
  }

  func run() async throws {
    var request = Volunteer_V1_KeyRequest()
    request.kid = try CredentialArguments.kid(self.kid, "<kid>")
    let keySet = try await self.connection.withClient(
      retryHint: "the outcome is unknown: check with `vol-admin keys list`"
    ) { client, options in
      try await Volunteer_V1_Credentials.Client(wrapping: client).retireKey(request, options: options)
    }
    try KeySetView(keySet).print(json: self.connection.json)
  }
}
