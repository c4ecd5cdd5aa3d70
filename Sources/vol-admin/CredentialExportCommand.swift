import ArgumentParser
import Credentials
import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct CredentialExportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export an offline bundle of credentials for auditors, then self-check it.",
    discussion: """
      Calls Credentials.ExportCredentials (auditors and admins) and writes, byte for byte as \
      the service streams them:

        DIR/jwks.json                 the published key set, retired and compromised keys too
        DIR/status-lists/<name>.jwt   the signed revocation and suspension status lists
        DIR/credentials.jsonl         one line per credential: its number, token and metadata
        DIR/manifest.jwt              the signed manifest: counts, filters, SHA-256 of each file

      Credentials are appended to the file as they arrive, so memory stays constant whatever \
      the size of the export. A progress bar with rate and ETA is drawn on a terminal (plain \
      lines every 10 % otherwise). When the export is complete the bundle is checked with the \
      offline verifier (as `credential verify DIR` does) and the summary printed.

      Filters: --org exports the subtree rooted at that organisation (default: your scope); \
      --from and --before bound the issue time (a date, the start of that day in \
      Asia/Shanghai, or an ISO 8601 time); --status exports only active, suspended or \
      revoked credentials. The filters are recorded in the manifest.

      DIR must not exist or be empty (otherwise exit 2). If the export fails, the files \
      written so far are removed. --max-time bounds the whole export (default one hour); \
      --timeout bounds connecting.

      Exit codes: 0 the bundle is complete and verifies (suspended or revoked credentials in \
      it are listed, as `credential verify` would fail them); 1 the service refused or broke \
      off the export, or the bundle it sent does not verify; 2 usage error or DIR unusable; 3 \
      the service could not be reached.

      Example:
        vol-admin credential export --out audit-2026
        vol-admin credential export --out audit-bj --org org-beijing --from 2026-01-01 \\
          --before 2027-01-01 --status active
      """
  )

  @Option(help: ArgumentHelp("The bundle directory; must not exist or be empty.", valueName: "dir"))
  var out: String

  @Option(help: ArgumentHelp("Root of the organisation subtree (default: your scope).", valueName: "org"))
  var org: String?

  @Option(
    help: ArgumentHelp("Only credentials issued from this date or time.", valueName: "date|time"),
    transform: TimeArguments.bound)
  var from: Google_Protobuf_Timestamp?

  @Option(
    help: ArgumentHelp("Only credentials issued before this date or time.", valueName: "date|time"),
    transform: TimeArguments.bound)
  var before: Google_Protobuf_Timestamp?

  @Option(help: ArgumentHelp("Only credentials in this status: active, suspended or revoked.", valueName: "status"))
  var status: CredentialStatusArgument?

  @Option(help: ArgumentHelp("Deadline of the whole export in seconds.", valueName: "seconds"))
  var maxTime: Double = 3600

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    guard !self.out.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw ValidationError("--out must name the bundle directory.")
    }
    if let org = self.org { _ = try OrganisationArguments.id(org, "--org") }
    if let from = self.from, let before = self.before, from.secondsValue >= before.secondsValue {
      throw ValidationError("--from must be earlier than --before.")
    }
    guard self.maxTime.isFinite, self.maxTime > 0, self.maxTime <= 7 * 86_400 else {
      throw ValidationError("--max-time must be a number of seconds above 0 and at most a week.")
    }
  }

  func makeRequest() throws -> Volunteer_V1_ExportCredentialsRequest {
    var request = Volunteer_V1_ExportCredentialsRequest()
    if let org = self.org { request.organisationID = try OrganisationArguments.id(org, "--org") }
    if let from = self.from { request.issuedFrom = from }
    if let before = self.before { request.issuedBefore = before }
    request.status = self.status?.proto ?? .unspecified
    return request
  }

  func run() async throws {
    let request = try self.makeRequest()
    let directory = self.out
    let created = try BundleDirectory.prepare(directory)
    let deadline = Duration.milliseconds(Int64((self.maxTime * 1000).rounded(.up)))
    let outcome: ExportOutcome
    do {
      outcome = try await self.connection.withClient(
        retryHint: "the export did not finish; run the command again"
      ) { client, options in
        var options = options
        options.timeout = deadline
        return try await Volunteer_V1_Credentials.Client(wrapping: client).exportCredentials(
          request, options: options
        ) { response in
          let writer = BundleStreamWriter(directory: directory)
          defer { writer.close() }
          for try await part in response.messages {
            try writer.receive(part)
          }
          return try writer.finish()
        }
      }
    } catch {
      if BundleDirectory.removePartial(directory, created: created) {
        Console.error("The incomplete bundle was removed from \(directory).")
      }
      throw error
    }

    // Self-check with the offline verifier, as an auditor would.
    let progress = isatty(STDERR_FILENO) == 1 && outcome.credentials > 0
      ? ImportProgress(total: outcome.credentials, label: "self-check") : nil
    var checked = 0
    let report = BundleVerifier().verify(directory: directory) { count in
      progress?.advance(by: count - checked)
      checked = count
    }
    progress?.finish()

    let exportView = ExportView(directory: directory, outcome: outcome, report: BundleReportView(report))
    let broken = !report.bundleProblems.isEmpty || report.invalidCount > 0
    if self.connection.json {
      try Output.json(exportView)
    } else {
      Output.keyValues([
        ("directory", directory),
        ("credentials", String(outcome.credentials)),
        ("credentials.jsonl", "\(outcome.credentialBytes) bytes"),
        ("jwks.json", "\(outcome.keySetBytes) bytes"),
        ("status lists", outcome.statusLists.joined(separator: ", ")),
        ("manifest.jwt", "\(outcome.manifestBytes) bytes"),
        ("throughput", exportView.throughput),
      ])
      Console.out("")
      exportView.selfCheck.printLines()
      let withdrawn = report.revokedCount + report.suspendedCount
      let result =
        broken
        ? "FAILED: the bundle the service sent does not verify"
        : withdrawn > 0
          ? "passed except withdrawn credentials (\(report.suspendedCount) suspended, "
            + "\(report.revokedCount) revoked)"
          : "passed"
      Output.keyValues([("self-check", result)])
    }
    if broken {
      throw ExitCode(ExitStatus.serverError)
    }
  }
}

/// What the export wrote.
struct ExportOutcome: Sendable {
  var credentials: Int
  var announcedCredentials: Int
  var credentialBytes: Int
  var keySetBytes: Int
  var manifestBytes: Int
  var statusLists: [String]
  var seconds: Double
}

/// The bundle directory: checked and created before the export, cleaned up after a failure.
enum BundleDirectory {
  /// Creates `path` (and missing parents) unless it is an empty directory already; a file, or
  /// a directory with anything in it, is refused with exit 2. Returns whether it was created.
  static func prepare(_ path: String) throws -> Bool {
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        Console.error("error: --out \(path) exists and is not a directory; name a new or empty directory.")
        throw ExitCode(ExitStatus.usage)
      }
      let contents: [String]
      do {
        contents = try manager.contentsOfDirectory(atPath: path)
      } catch {
        Console.error("error: cannot read the directory --out \(path): \(ConnectionOptions.oneLine(error.localizedDescription))")
        throw ExitCode(ExitStatus.usage)
      }
      guard contents.isEmpty else {
        Console.error(
          "error: --out \(path) exists and is not empty (\(contents.count) entr"
            + "\(contents.count == 1 ? "y" : "ies")); a bundle must be written to a new or empty "
            + "directory, so nothing is mixed into it.")
        throw ExitCode(ExitStatus.usage)
      }
      guard manager.isWritableFile(atPath: path) else {
        Console.error("error: --out \(path) is not writable.")
        throw ExitCode(ExitStatus.usage)
      }
      return false
    }
    do {
      try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      Console.error("error: cannot create --out \(path): \(ConnectionOptions.oneLine(error.localizedDescription))")
      throw ExitCode(ExitStatus.usage)
    }
    return true
  }

  /// Removes what an unfinished export wrote into `path` (it was empty before), and `path`
  /// itself when the export created it. Returns whether any file had been written.
  @discardableResult
  static func removePartial(_ path: String, created: Bool) -> Bool {
    let manager = FileManager.default
    var removed = false
    for name in [
      BundleManifest.keySetFile, BundleManifest.credentialsFile, BundleManifest.manifestFile,
      BundleManifest.statusListDirectory,
    ] {
      let item = path + "/" + name
      if manager.fileExists(atPath: item) {
        try? manager.removeItem(atPath: item)
        removed = true
      }
    }
    if created { _ = rmdir(path) }
    return removed
  }
}

/// Writes the parts of an ExportCredentials stream into a bundle directory, in the order the
/// service must send them: one header, the credential lines, one manifest.
final class BundleStreamWriter {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  private enum State {
    case awaitingHeader
    case lines(FileHandle)
    case done
  }

  let directory: String
  private var state = State.awaitingHeader
  private var buffer = Data()
  private var progress: ImportProgress?
  private let started = Date()
  private var credentials = 0
  private var announced = 0
  private var credentialBytes = 0
  private var keySetBytes = 0
  private var manifestBytes = 0
  private var statusLists: [String] = []

  init(directory: String) {
    self.directory = directory
  }

  func receive(_ part: Volunteer_V1_ExportPart) throws {
    switch (part.part, self.state) {
    case (.header(let header), .awaitingHeader):
      try self.writeHeader(header)
    case (.credentialLine(let line), .lines):
      self.credentials += 1
      self.credentialBytes += line.count
      self.buffer.append(line)
      if self.buffer.count >= 256 * 1024 { try self.flush() }
      self.progress?.advance(by: 1)
    case (.manifestJwt(let jwt), .lines(let handle)):
      try self.flush()
      do {
        try handle.synchronize()
        try handle.close()
      } catch {
        throw Failure(description: "cannot write \(self.path(BundleManifest.credentialsFile)): \(error.localizedDescription)")
      }
      self.state = .done
      let data = Data(jwt.utf8)
      try self.write(data, to: BundleManifest.manifestFile)
      self.manifestBytes = data.count
    case (nil, _):
      throw Failure(description: "the service sent an empty export part")
    case (_, .awaitingHeader):
      throw Failure(description: "the service's export did not start with the header (key set and status lists)")
    case (.header, _):
      throw Failure(description: "the service sent a second export header")
    case (_, .done):
      throw Failure(description: "the service sent more after the manifest, which must come last")
    }
  }

  /// The outcome once the stream has ended; fails when the manifest never came.
  func finish() throws -> ExportOutcome {
    self.progress?.finish()
    self.progress = nil
    guard case .done = self.state else {
      throw Failure(description: "the export ended before the manifest; the bundle is incomplete")
    }
    if self.credentials != self.announced {
      Console.error(
        "warning: the service announced \(self.announced) credentials and sent \(self.credentials); "
          + "the self-check compares them with the signed manifest.")
    }
    return ExportOutcome(
      credentials: self.credentials, announcedCredentials: self.announced,
      credentialBytes: self.credentialBytes, keySetBytes: self.keySetBytes,
      manifestBytes: self.manifestBytes, statusLists: self.statusLists,
      seconds: Date().timeIntervalSince(self.started))
  }

  /// Closes the credentials file if the stream ended early.
  func close() {
    self.progress?.finish()
    self.progress = nil
    if case .lines(let handle) = self.state {
      try? handle.close()
      self.state = .done
    }
  }

  private func writeHeader(_ header: Volunteer_V1_ExportHeader) throws {
    guard !header.jwksJson.isEmpty else {
      throw Failure(description: "the service's export header has no key set")
    }
    for name in header.statusLists.keys {
      // The name becomes a file name: nothing that could leave status-lists/.
      guard !name.isEmpty, name.utf8.count <= 64,
        name.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D })
      else {
        throw Failure(description: "the service sent a status list named \"\(name.prefix(80))\"; names are [a-z0-9-]+")
      }
    }
    try self.write(header.jwksJson, to: BundleManifest.keySetFile)
    self.keySetBytes = header.jwksJson.count
    do {
      try FileManager.default.createDirectory(
        atPath: self.path(BundleManifest.statusListDirectory), withIntermediateDirectories: false)
    } catch {
      throw Failure(description: "cannot create \(self.path(BundleManifest.statusListDirectory)): \(error.localizedDescription)")
    }
    for (name, jwt) in header.statusLists.sorted(by: { $0.key < $1.key }) {
      try self.write(Data(jwt.utf8), to: "\(BundleManifest.statusListDirectory)/\(name).jwt")
      self.statusLists.append(name)
    }
    let path = self.path(BundleManifest.credentialsFile)
    guard FileManager.default.createFile(atPath: path, contents: nil),
      let handle = FileHandle(forWritingAtPath: path)
    else {
      throw Failure(description: "cannot create \(path)")
    }
    self.state = .lines(handle)
    self.announced = Int(clamping: header.credentials)
    self.progress = ImportProgress(total: self.announced, label: "exporting")
  }

  private func flush() throws {
    guard !self.buffer.isEmpty, case .lines(let handle) = self.state else { return }
    do {
      try handle.write(contentsOf: self.buffer)
    } catch {
      throw Failure(description: "cannot write \(self.path(BundleManifest.credentialsFile)): \(error.localizedDescription)")
    }
    self.buffer.removeAll(keepingCapacity: true)
  }

  private func write(_ data: Data, to relative: String) throws {
    do {
      try data.write(to: URL(fileURLWithPath: self.path(relative)), options: .withoutOverwriting)
    } catch {
      throw Failure(description: "cannot write \(self.path(relative)): \(error.localizedDescription)")
    }
  }

  private func path(_ relative: String) -> String {
    self.directory + "/" + relative
  }
}

struct ExportView: Encodable {
  var directory: String
  var credentials: Int
  var credentialBytes: Int
  var keySetBytes: Int
  var manifestBytes: Int
  var statusLists: [String]
  var seconds: Double
  var selfCheck: BundleReportView

  init(directory: String, outcome: ExportOutcome, report: BundleReportView) {
    self.directory = directory
    self.credentials = outcome.credentials
    self.credentialBytes = outcome.credentialBytes
    self.keySetBytes = outcome.keySetBytes
    self.manifestBytes = outcome.manifestBytes
    self.statusLists = outcome.statusLists
    self.seconds = (outcome.seconds * 1000).rounded() / 1000
    self.selfCheck = report
  }

  /// "1234 credentials in 2.1 s (587.6 credentials/s, 1.9 MB/s)"
  var throughput: String {
    let seconds = max(self.seconds, 0.001)
    return String(
      format: "%d credentials in %.1f s (%.1f credentials/s, %.1f MB/s)", self.credentials,
      self.seconds, Double(self.credentials) / seconds,
      Double(self.credentialBytes) / seconds / 1_000_000)
  }

  enum CodingKeys: String, CodingKey {
    case directory, credentials, seconds
    case credentialBytes = "credential_bytes"
    case keySetBytes = "jwks_bytes"
    case manifestBytes = "manifest_bytes"
    case statusLists = "status_lists"
    case selfCheck = "self_check"
  }
}
