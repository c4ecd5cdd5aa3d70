import ArgumentParser

struct VolunteerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "volunteer",
    abstract: "Register, find, transfer and withdraw volunteers.",
    discussion: """
      To register many volunteers from a CSV file, see `vol-admin import volunteers`.

      Example:
        vol-admin volunteer register --name 张三 --document-type resident-id \\
          --document 11010519491231002X --org org-beijing
        vol-admin volunteer show V2026000122
        vol-admin volunteer list --org org-beijing --all
        vol-admin volunteer transfer V2026000122 --to org-bj-chaoyang --reason "moved"
        vol-admin volunteer withdraw V2026000122
      """,
    subcommands: [
      VolunteerRegisterCommand.self, VolunteerShowCommand.self, VolunteerListCommand.self,
      VolunteerTransferCommand.self, VolunteerWithdrawCommand.self,
    ]
  )
}
