import ArgumentParser

struct ImportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Register volunteers or log hours in bulk from CSV files.",
    discussion: """
      Every row is checked locally first; bad rows are listed with their line numbers and \
      written, with the service's refusals, to a report CSV of refused rows. Each row carries \
      an idempotency key derived from its content (or its key column), so an import can be \
      rerun after an interruption: rows imported before replay instead of duplicating. See \
      `vol-admin import volunteers --help` and `vol-admin import hours --help` for the \
      columns, and examples/README.md for a walk-through against the dev server.

      Example:
        vol-admin import volunteers examples/volunteers.csv
        vol-admin import hours examples/hours.csv --report /tmp/hours.refused.csv
      """,
    subcommands: [ImportVolunteersCommand.self, ImportHoursCommand.self]
  )
}
