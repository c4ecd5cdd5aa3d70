import ArgumentParser

struct KeysCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "keys",
    abstract: "List and administer the credential signing keys.",
    discussion: """
      Credentials are signed with Ed25519 keys the service keeps in files outside the \
      database; only public keys ever leave it. The published key set (JWKS) holds every key \
      ever used — the one that signs now, keys published ahead of signing, retired keys \
      (still needed to check what they signed) and compromised keys — with their lifecycle \
      dates, so anyone can verify a credential offline. Each key id (kid) is the RFC 7638 \
      thumbprint of the key. Rotating, retiring and marking keys compromised is for admins \
      scoped to the root organisation.

      Example:
        vol-admin keys list
        vol-admin keys rotate
        vol-admin keys retire kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
        vol-admin keys mark-compromised kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
        vol-admin keys export-jwks --out issuer-jwks.json
      """,
    subcommands: [
      KeysListCommand.self, KeysRotateCommand.self, KeysRetireCommand.self,
      KeysMarkCompromisedCommand.self, KeysExportJWKSCommand.self,
    ]
  )
}
