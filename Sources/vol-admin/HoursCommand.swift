import ArgumentParser

struct HoursCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hours",
    abstract: "Log, review and list service hours.",
    discussion: """
      Records are logged pending against a published or closed activity, then approved or \
      rejected by an admin of the organisation running the activity (or of an ancestor). \
      Approved records are never edited or deleted. Credited time is whole hours plus the \
      remainder rounded to a half hour (under 15 min → 0, 15-44 → 0.5 h, 45-59 → 1 h); the \
      raw minutes are kept too. Up to 8 hours a day approve normally; more needs --override.

      To log many records from a CSV file, see `vol-admin import hours`.

      Example:
        vol-admin hours log --volunteer V0000000014 --activity A000000001 \\
          --start 2026-03-01T09:00:00+08:00 --end 2026-03-01T11:20:00+08:00 \\
          --content "Read to children"
        vol-admin hours approve R000000001 R000000002
        vol-admin hours reject R000000003 --reason "not at the activity"
        vol-admin hours list V0000000014
      """,
    subcommands: [
      HoursLogCommand.self, HoursApproveCommand.self, HoursRejectCommand.self,
      HoursListCommand.self, HoursCorrectCommand.self,
    ]
  )
}
