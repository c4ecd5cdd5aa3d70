import ArgumentParser

struct AuditCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Verify, checkpoint and export the tamper-evident audit log.",
    discussion: """
      Every change to the store appends an entry to a hash chain in the same transaction: \
      the principal, the method, the rows written (table, key and a SHA-256 of the row — \
      ids and digests only, no personal data), a digest of the request, the time and the \
      previous entry's hash. The service signs checkpoints of the chain's head with its \
      Ed25519 key at intervals, at shutdown and on demand. Changing, deleting or reordering \
      an entry, or changing, inserting or deleting a row behind the service's back, makes \
      verification fail. For admins and auditors scoped to the root organisation.

      Example:
        vol-admin audit verify
        vol-admin audit checkpoint
        vol-admin audit export --out audit-2026-11.jsonl
        vol-admin audit verify --file audit-2026-11.jsonl --jwks issuer-jwks.json
      """,
    subcommands: [AuditVerifyCommand.self, AuditCheckpointCommand.self, AuditExportCommand.self]
  )
}
