import ArgumentParser
import Foundation
import Logging
import VolunteerService

struct MigrateStore: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "migrate",
    abstract: "Copy an embedded (SQLite) deployment into an empty PostgreSQL database and verify it.",
    discussion: """
      Takes a consistent snapshot of the SQLite store while its service keeps running (kept \
      beside it as <PATH>.pg-migration-snapshot until the copy verifies), copies every table \
      page by page, then checks row counts, every volunteer's totals against the approved \
      ledger, and the audit chain and rows. Interrupted, run the same command again: it \
      continues from the last copied page of the same snapshot.

      Records written to the SQLite service after the snapshot are not copied: stop the \
      service before the run that is the cut-over, then start the instances with --store.
      Copy the data directory's personal-data.key and keys/ to every instance.

      Example:
        volunteer-service migrate --from sqlite:/var/lib/volunteer/volunteer.sqlite \\
          --to 'postgres://vrs:secret@db:5432/volunteer?sslmode=verify-full&sslrootcert=/etc/vrs/db-ca.pem'
      """
  )

  @Option(help: "The SQLite store: sqlite:PATH (the service's <data-dir>/volunteer.sqlite).")
  var from: String

  @Option(help: "The target: postgres://user:password@host:port/database[?sslmode=…]; must be new and empty.")
  var to: String

  @Option(help: "Rows copied per transaction.")
  var pageSize: Int = 1_000

  func validate() throws {
    guard self.from.hasPrefix("sqlite:"), self.from.count > "sqlite:".count else {
      throw ValidationError("--from must be sqlite:PATH, got \(self.from)")
    }
    guard (1...5_000).contains(self.pageSize) else {
      throw ValidationError("--page-size must be between 1 and 5000 (PostgreSQL binds at most 65535 values per statement)")
    }
  }

  func run() async throws {
    let source = String(self.from.dropFirst("sqlite:".count))
    let target = try PostgresStoreLocation(url: self.to)
    var logger = Logger(label: "volunteer.migrate")
    logger.logLevel = .warning
    let migration = SQLiteToPostgresMigration(sourcePath: source, target: target, pageSize: self.pageSize, logger: logger)
    let summary = try await migration.run { progress in
      FileHandle.standardError.write(Data("\(progress.table): \(progress.copied)/\(progress.total)\n".utf8))
    }
    print(summary.resumed ? "resumed an interrupted migration" : "migrated")
    for (table, rows) in summary.rowsByTable {
      print("  \(table): \(rows) rows")
    }
    print("audit chain: \(summary.auditEntries) entries, head \(summary.auditHeadHash)")
    guard summary.problems.isEmpty else {
      for problem in summary.problems { print("PROBLEM: \(problem)") }
      throw ValidationError(
        "the copy did not verify (\(summary.problems.count) problems); the snapshot \(summary.snapshotPath) is kept. Drop the target database and run again, or inspect it.")
    }
    print("verified: row counts, totals against the ledger, audit chain and rows")
  }
}
