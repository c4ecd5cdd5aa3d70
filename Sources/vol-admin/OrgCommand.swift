import ArgumentParser

struct OrgCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "org",
    abstract: "Grow and browse the organisation tree.",
    discussion: """
      The tree runs national committee → province → city → county → grassroots branch, with \
      schools, enterprises, alliances and NGOs hanging in it. You see and change only the \
      subtree of your certificate's scope; anything outside it is NOT_FOUND, whether it \
      exists or not. Creating organisations is for admins.

      Example:
        vol-admin org create org-beijing --parent national --kind province \\
          --name 北京市志愿者联合会 --region 110000
        vol-admin org tree
        vol-admin org children national
        vol-admin org show org-beijing
      """,
    subcommands: [
      OrgCreateCommand.self, OrgShowCommand.self, OrgTreeCommand.self, OrgChildrenCommand.self,
    ]
  )
}
