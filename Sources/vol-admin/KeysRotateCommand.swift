import ArgumentParser
import Foundation
import WireProtocol

struct KeysRotateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rotate",
    abstract: "Generate a new signing key and publish it before it signs (admins).",
    discussion: """
      Calls Credentials.RotateKey: the service generates a new Ed25519 key, publishes it in \
      the key set, and activates it after the service's activation delay; the key that \
      signed until then is retired at that instant and stays published, so the credentials \
      it signed keep verifying. Exactly one key signs at any time. Prints the new key set \
      (as `keys list`) and the new key. Each call adds a key, so do not repeat the command \
      blindly after a timeout: check with `keys list` first.

      Example:
        vol-admin keys rotate
      """
  )

  @OptionGroup
  var connection: ConnectionOptions

  func run() async throws {
    let keySet = try await self.connection.withClient(
      retryHint: "the outcome is unknown: check with `vol-admin keys list` before rotating again"
    ) { client, options in
      try await Volunteer_V1_Credentials.Client(wrapping: client).rotateKey(.init(), options: options)
    }
    let view = try KeySetView(keySet)
    try view.print(json: self.connection.json)
    if !self.connection.json,
      let newest = view.keys.filter({ $0.created != nil }).max(by: { ($0.created ?? "") < ($1.created ?? "") })
    {
      Output.keyValues([
        ("new key", newest.kid),
        ("signs from", newest.activated.map { Output.humanTime($0) } ?? "not yet scheduled"),
      ])
    }
  }
}
