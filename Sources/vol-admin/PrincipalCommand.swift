import ArgumentParser

struct PrincipalCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "principal",
    abstract: "Manage who may call the service (admins only).",
    discussion: """
      A principal is the identity in a client certificate (its URI SAN, such as \
      spiffe://volunteer/partner/beijing-platform, else its subject CN) bound to a role and \
      the organisation subtree it may act in.

      Example:
        vol-admin principal add spiffe://volunteer/partner/beijing-platform \\
          --role partner --scope org-beijing
        vol-admin principal list
        vol-admin principal disable spiffe://volunteer/partner/beijing-platform
        vol-admin principal enable spiffe://volunteer/partner/beijing-platform
      """,
    subcommands: [
      PrincipalAddCommand.self, PrincipalListCommand.self, PrincipalDisableCommand.self,
      PrincipalEnableCommand.self,
    ]
  )
}
