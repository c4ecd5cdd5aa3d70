import ArgumentParser
import Foundation
import SwiftProtobuf
import WireProtocol

struct KeysRotateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rotate",
    abstract: "Generate a new signing key and publish it before it signs (admins).",
    discussion: """
      Calls Credentials.RotateKey: the service generates a new Ed25519 key, publishes it in \
      the key set at once, and lets it sign --activate-in seconds later (default one hour), \
      so verifiers that cache the key set have it before they meet a credential it signed; \
      the key that signed until then is retired at that instant and stays published, so the \
      credentials it signed keep verifying. Exactly one key signs at any time. --activate-in 0 \
      switches at once (after a compromise, `keys mark-compromised` already does). Prints the \
      new key set (as `keys list`) and the new key. Each call adds a key, so do not repeat \
      the command blindly after a timeout: check with `keys list` first.

      Example:
        vol-admin keys rotate
        vol-admin keys rotate --activate-in 0
      """
  )

  @Option(help: ArgumentHelp("Seconds between publishing the new key and its first signature (0-2592000).", valueName: "seconds"))
  var activateIn: UInt32 = 3_600

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    guard self.activateIn <= 30 * 86_400 else {
      throw ValidationError("--activate-in must be at most 2592000 (30 days).")
    }
  }

  func run() async throws {
    let keySet = try await self.connection.withClient(
      retryHint: "the outcome is unknown: check with `vol-admin keys list` before rotating again"
    ) { client, options in
      try await Volunteer_V1_Credentials.Client(wrapping: client).rotateKey(
        .with { $0.activationDelaySeconds = self.activateIn }, options: options)
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
