import ArgumentParser
import AuditTrail
import Crypto
import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

struct BackupCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "backup",
    abstract: "Take an online backup of the whole store into a file.",
    discussion: """
      Streams Operations.Backup into FILE: a consistent snapshot of the database, taken while \
      the service keeps serving (SQLite's VACUUM INTO from one read snapshot, checked with \
      quick_check on the server). The bytes are checked against the SHA-256 the server sends \
      last; the file is written to FILE.partial, flushed to disk and renamed only when \
      complete, so FILE never holds a partial backup. Progress is shown on standard error. \
      Admins scoped to the root organisation only.

      The snapshot holds ID and phone numbers sealed: restoring it needs the data \
      directory's personal-data.key and keys/ as well. To restore, stop the service, put FILE \
      in place as <data-dir>/volunteer.sqlite (removing any -wal and -shm files), start the \
      service and run `vol-admin audit verify` (docs/OPERATIONS.md).

      Example:
        vol-admin backup --out /backups/volunteer-$(date +%F).sqlite
      """
  )

  @Option(help: ArgumentHelp("The file to write.", valueName: "file"))
  var out: String

  @Flag(help: "Replace FILE if it exists.")
  var force = false

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    try OutputFile.validate(self.out, replacing: self.force)
  }

  func run() async throws {
    let file = try OutputFile(path: self.out)
    let received: (info: Volunteer_V1_BackupInfo, bytes: Int, sha256: String, expected: String)
    do {
      received = try await self.connection.withClient { client, options in
        try await Volunteer_V1_Operations.Client(wrapping: client).backup(.init(), options: options) { response in
          var info: Volunteer_V1_BackupInfo?
          var hasher = SHA256()
          var bytes = 0
          var expected = ""
          var lastReport = Date()
          for try await chunk in response.messages {
            if chunk.hasInfo { info = chunk.info }
            if !chunk.sha256.isEmpty { expected = chunk.sha256 }
            try file.write(chunk.data)
            hasher.update(data: chunk.data)
            bytes += chunk.data.count
            if Date().timeIntervalSince(lastReport) > 1, let total = info?.sizeBytes, total > 0 {
              Console.error("received \(bytes / 1_048_576) of \(total / 1_048_576) MiB (\(bytes * 100 / Int(total)) %)…")
              lastReport = Date()
            }
          }
          let digest = AuditDigest.hex(hasher.finalize())
          return (info ?? .init(), bytes, digest, expected)
        }
      }
    } catch {
      file.abandon()
      throw error
    }
    let problem: String? =
      if received.expected.isEmpty { "the stream ended without the server's SHA-256: the backup is incomplete" }
      else if received.sha256 != received.expected { "SHA-256 \(received.sha256) differs from the server's \(received.expected)" }
      else if UInt64(received.bytes) != received.info.sizeBytes { "\(received.bytes) bytes received, the server announced \(received.info.sizeBytes)" }
      else { nil }
    if let problem {
      file.abandon()
      Console.error("error: \(problem); nothing was written to \(self.out).")
      throw ExitCode(ExitStatus.serverError)
    }
    try file.commit()
    let info = received.info
    Console.out(
      """
      wrote \(self.out): \(received.bytes) bytes, \(info.store) snapshot taken at \(ISO8601DateFormatter().string(from: info.takenAt.date))
      sha256: \(received.sha256)
      audit:  \(info.auditSize) entries, head \(info.auditHeadHash)
      """)
  }
}
