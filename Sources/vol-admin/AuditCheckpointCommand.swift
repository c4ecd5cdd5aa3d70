import ArgumentParser
import WireProtocol

struct AuditCheckpointCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "checkpoint",
    abstract: "Sign a checkpoint of the audit chain's head now.",
    discussion: """
      The service signs "the log had N entries ending in HASH at TIME" with its current \
      Ed25519 key (the credential signing key; `vol-admin keys export-jwks` publishes it) \
      and stores it. When the head is already checkpointed the existing checkpoint is \
      printed. Keep the printed token outside the service (a ticket, an email to the \
      auditors): a later rewrite of the chain cannot reproduce it. Admins scoped to the root.

      Example:
        vol-admin audit checkpoint
        vol-admin audit checkpoint --json
      """
  )

  @OptionGroup
  var connection: ConnectionOptions

  func run() async throws {
    let checkpoint = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Audit.Client(wrapping: client).createCheckpoint(.init(), options: options)
    }
    if self.connection.json {
      try Output.json([
        "size": "\(checkpoint.size)", "head_hash": checkpoint.headHash, "at": checkpoint.at,
        "token": checkpoint.token,
      ])
    } else {
      Output.keyValues([
        ("size", "\(checkpoint.size)"), ("head", checkpoint.headHash), ("at", checkpoint.at),
        ("token", checkpoint.token),
      ])
    }
  }
}
