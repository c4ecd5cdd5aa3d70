import ArgumentParser
import Foundation
import WireProtocol

struct KeysListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List the published signing keys with their lifecycle.",
    discussion: """
      Calls Credentials.GetKeySet and prints one row per key, oldest first: kid, status \
      (published: announced, not yet signing; active: signs now; retired: no longer signs; \
      compromised: everything it signed fails verification), a * on the key that signs now, \
      and when the key was created, activated, retired and marked compromised (UTC). With \
      --json an object with "signing_kid" and "keys".

      Example:
        vol-admin keys list
        vol-admin keys list --json
      """
  )

  @OptionGroup
  var connection: ConnectionOptions

  func run() async throws {
    let keySet = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Credentials.Client(wrapping: client).getKeySet(.init(), options: options)
    }
    try KeySetView(keySet).print(json: self.connection.json)
  }
}
