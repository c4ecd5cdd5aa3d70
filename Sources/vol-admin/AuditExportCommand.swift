import ArgumentParser
import Foundation
import GRPCCore
import WireProtocol

struct AuditExportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write the audit log to a file for offline verification.",
    discussion: """
      Streams Audit.ExportAudit into FILE: JSON Lines with a header (entry count and head \
      hash, fixed when the export starts), the key set, every checkpoint, then every entry. \
      The file is written to FILE.partial and renamed when complete, so FILE never holds a \
      truncated export; progress is shown on standard error. Verify it with `audit verify \
      --file`; the format is in docs/SECURITY.md for auditors using other tools.

      Example:
        vol-admin audit export --out audit-2026-11.jsonl
      """
  )

  @Option(help: ArgumentHelp("The file to write.", valueName: "file"))
  var out: String

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    try OutputFile.validate(self.out)
  }

  func run() async throws {
    let file = try OutputFile(path: self.out)
    let (bytes, lines): (Int, Int)
    do {
      (bytes, lines) = try await self.connection.withClient { client, options in
        try await Volunteer_V1_Audit.Client(wrapping: client).exportAudit(.init(), options: options) { response in
          var bytes = 0
          var lines = 0
          var lastReport = Date()
          for try await chunk in response.messages {
            try file.write(chunk.lines)
            bytes += chunk.lines.count
            lines += chunk.lines.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            if Date().timeIntervalSince(lastReport) > 1 {
              Console.error("exported \(lines) lines (\(bytes / 1024) KiB)…")
              lastReport = Date()
            }
          }
          return (bytes, lines)
        }
      }
    } catch {
      // A failed export leaves nothing behind, not a partial file.
      file.abandon()
      throw error
    }
    try file.commit()
    Console.out("wrote \(self.out): \(lines) lines, \(bytes) bytes")
  }
}
