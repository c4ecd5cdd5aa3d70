import ArgumentParser

struct ActivityCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "activity",
    abstract: "Create, publish, close and browse service activities.",
    discussion: """
      An organisation runs activities: draft → published → closed. Hours can be logged \
      against a published or closed activity only, and must fall inside its window (with a \
      tolerance of 30 minutes on each side). You see and change only the activities of your \
      certificate's scope; anything outside it is NOT_FOUND.

      Times are ISO 8601 with an offset, e.g. 2026-03-01T09:00:00+08:00; a time without an \
      offset is read in Asia/Shanghai.

      Example:
        vol-admin activity create --org org-beijing --title "Library reading hour" \\
          --category education --region 110105 --place "Chaoyang Library" \\
          --start 2026-03-01T09:00:00+08:00 --end 2026-03-01T12:00:00+08:00 \\
          --planned-hours 3 --person-in-charge 王芳
        vol-admin activity publish A000000001
        vol-admin activity list --org org-beijing --from 2026-03-01
        vol-admin activity close A000000001
      """,
    subcommands: [
      ActivityCreateCommand.self, ActivityPublishCommand.self, ActivityCloseCommand.self,
      ActivityShowCommand.self, ActivityListCommand.self,
    ]
  )
}
