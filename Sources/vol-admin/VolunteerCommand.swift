import ArgumentParser

struct VolunteerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "volunteer",
    abstract: "Register volunteers and look them up by volunteer number.",
    discussion: """
      Example:
        vol-admin volunteer register --name 张三 --document-type resident-id \\
          --document 11010519491231002X --org org-beijing
        vol-admin volunteer show V2026000123
      """,
    subcommands: [VolunteerRegisterCommand.self, VolunteerShowCommand.self]
  )
}
