import ArgumentParser
import Foundation
import VolunteerService

struct RotatePersonalDataKey: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rotate-personal-data-key",
    abstract: "Re-seal every stored ID and phone number under a new personal-data key.",
    discussion: """
      Adds a new key generation to <data-dir>/personal-data.key, re-seals every volunteer's \
      ID and phone number under it (recomputing the keyed duplicate-detection hash), checks \
      that no row is left under the old generation, then removes the old generation from \
      the key file. Every changed row is recorded in the audit log.

      Stop the service first: the command takes the data directory's lock and refuses to run \
      while the service holds it. Interrupted (crash, Ctrl-C), run it again: it finishes the \
      same rotation. The service also starts on a half-rotated directory and reads both \
      generations. Back up the data directory (database and key file together) before: a \
      backup of the database is readable only with the key file of its time.

      Example:
        volunteer-service rotate-personal-data-key --data-dir /var/lib/volunteer
      """
  )

  @Option(help: "JSON configuration file (for its dataDirectory); --data-dir overrides it.")
  var config: String?

  @Option(help: "Directory holding volunteer.sqlite and personal-data.key (default ./data).")
  var dataDir: String?

  @Option(help: "Volunteers re-sealed per transaction.")
  var batchSize: Int = 1000

  func validate() throws {
    guard (1...100_000).contains(self.batchSize) else {
      throw ValidationError("--batch-size must be between 1 and 100000")
    }
  }

  func run() async throws {
    var settings = try self.config.map(ServiceConfiguration.load(file:)) ?? ServiceConfiguration()
    try settings.applyEnvironment(ProcessInfo.processInfo.environment)
    if let dataDir { settings.dataDirectory = dataDir }
    let directory = settings.dataDirectory
    let databasePath = directory + "/volunteer.sqlite"
    let keyFilePath = directory + "/personal-data.key"
    for path in [databasePath, keyFilePath] where !FileManager.default.fileExists(atPath: path) {
      throw ValidationError("\(path) does not exist: is \(directory) the service's data directory?")
    }
    let lock = try DataDirectoryLock(directory: directory)
    let store = try SQLiteRecordStore(path: databasePath)
    let rotation = PersonalDataKeyRotation(store: store, keyFilePath: keyFilePath, batchSize: self.batchSize)
    let started = Date()
    var lastReport = Date.distantPast
    let summary = try await rotation.run { progress in
      let now = Date()
      guard now.timeIntervalSince(lastReport) >= 1 else { return }
      lastReport = now
      FileHandle.standardError.write(
        Data("re-sealing: \(progress.scanned) volunteers scanned, \(progress.resealed) re-sealed\n".utf8))
    }
    withExtendedLifetime(lock) {}
    let seconds = Date().timeIntervalSince(started)
    print(
      """
      \(summary.resumed ? "finished an interrupted rotation" : "rotated"): key \(summary.activeKeyID) active, \
      retired \(summary.retiredKeyIDs.map(String.init).joined(separator: ", ")); \
      \(summary.scanned) volunteers scanned, \(summary.resealed) re-sealed in \(String(format: "%.1f", seconds)) s
      """)
  }
}
