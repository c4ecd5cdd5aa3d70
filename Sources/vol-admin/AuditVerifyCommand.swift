import ArgumentParser
import AuditTrail
import Credentials
import Foundation
import WireProtocol

struct AuditVerifyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Verify the audit log online, or an exported audit file offline.",
    discussion: """
      Online (no --file): the service checks, in one snapshot, the chain link by link, every \
      checkpoint's signature and head, and every row of every audited table against the \
      state its latest entry recorded.

      Offline (--file FILE, written by `audit export`): checks the chain and every checkpoint \
      in the file with no network and no certificate. The file's own key set is trusted \
      unless --jwks names one obtained independently (`vol-admin keys export-jwks`): then \
      checkpoints must verify with those keys, so a rewritten file cannot pass.

      Prints the entries, checkpoints and rows checked, the head, one "problem: " line per \
      problem and "result: passed" or "result: FAILED". Exits 0 only when the log verifies, \
      1 when it does not (or the server refused), 2 on a usage error or an unreadable file.

      Example:
        vol-admin audit verify
        vol-admin audit verify --file audit-2026-11.jsonl --jwks issuer-jwks.json
        vol-admin audit verify --json
      """
  )

  @Option(help: ArgumentHelp("Verify this exported audit file offline instead.", valueName: "file"))
  var file: String?

  @Option(help: ArgumentHelp("With --file: a key set (JWKS) to trust instead of the file's own.", valueName: "file"))
  var jwks: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    if self.jwks != nil, self.file == nil {
      throw ValidationError("--jwks applies to --file only; online verification uses the service's keys.")
    }
    for path in [self.file, self.jwks].compactMap({ $0 }) {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
        throw ValidationError("\(path) is not a file.")
      }
    }
  }

  func run() async throws {
    let report: AuditReport
    if let file = self.file {
      report = try self.verifyOffline(file)
    } else {
      let proto = try await self.connection.withClient { client, options in
        try await Volunteer_V1_Audit.Client(wrapping: client).verifyAudit(.init(), options: options)
      }
      var online = AuditReport()
      online.entries = proto.entries
      online.checkpoints = proto.checkpoints
      online.rows = proto.rows
      online.size = proto.head.size
      online.headHash = proto.head.hash
      online.problems = proto.problems
      report = online
    }
    if self.connection.json {
      try Output.json(AuditReportView(report, source: self.file ?? "service"))
    } else {
      Output.keyValues([
        ("source", self.file ?? "service (online)"),
        ("entries", "\(report.entries)"),
        ("checkpoints", "\(report.checkpoints)"),
        ("rows", self.file == nil ? "\(report.rows)" : "not checked offline"),
        ("head", "\(report.size) \(report.headHash)"),
      ])
      for problem in report.problems { Console.out("problem: \(problem)") }
      Console.out(report.isValid ? "result: passed" : "result: FAILED")
    }
    if !report.isValid { throw ExitCode(ExitStatus.serverError) }
  }

  private func verifyOffline(_ path: String) throws -> AuditReport {
    var trusted: JWKSet?
    if let jwksPath = self.jwks {
      guard let data = FileManager.default.contents(atPath: jwksPath) else {
        Console.error("error: cannot read --jwks \(jwksPath).")
        throw ExitCode(ExitStatus.usage)
      }
      do {
        trusted = try JWKSet.decode(data)
      } catch {
        Console.error("error: --jwks \(jwksPath) is not a key set: \(error)")
        throw ExitCode(ExitStatus.usage)
      }
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      Console.error("error: cannot read \(path).")
      throw ExitCode(ExitStatus.usage)
    }
    defer { try? handle.close() }
    do {
      return try AuditExport.verify(lines: AuditFileLines(handle: handle), trustedKeySet: trusted)
    } catch {
      Console.error("error: \(path) is not an audit export: \(error)")
      throw ExitCode(ExitStatus.usage)
    }
  }
}

/// The lines of a file, read in blocks so an export of any size streams.
struct AuditFileLines: Sequence, IteratorProtocol {
  let handle: FileHandle
  private var buffer = Data()
  private var finished = false

  init(handle: FileHandle) {
    self.handle = handle
  }

  mutating func next() -> Data? {
    while true {
      if let newline = self.buffer.firstIndex(of: 0x0A) {
        let line = self.buffer[self.buffer.startIndex..<newline]
        self.buffer = Data(self.buffer[(newline + 1)...])
        return Data(line)
      }
      if self.finished {
        guard !self.buffer.isEmpty else { return nil }
        defer { self.buffer = Data() }
        return self.buffer
      }
      let block = self.handle.readData(ofLength: 1 << 20)
      if block.isEmpty { self.finished = true } else { self.buffer += block }
    }
  }
}

/// `audit verify --json`.
struct AuditReportView: Encodable {
  var source: String
  var valid: Bool
  var entries: Int64
  var checkpoints: Int64
  var rows: Int64?
  var size: Int64
  var headHash: String
  var problems: [String]

  init(_ report: AuditReport, source: String) {
    self.source = source
    self.valid = report.isValid
    self.entries = report.entries
    self.checkpoints = report.checkpoints
    self.rows = source == "service" ? report.rows : nil
    self.size = report.size
    self.headHash = report.headHash
    self.problems = report.problems
  }

  enum CodingKeys: String, CodingKey {
    case source, valid, entries, checkpoints, rows, size, problems
    case headHash = "head_hash"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.source, forKey: .source)
    try container.encode(self.valid, forKey: .valid)
    try container.encode(self.entries, forKey: .entries)
    try container.encode(self.checkpoints, forKey: .checkpoints)
    try container.encode(self.rows, forKey: .rows)
    try container.encode(self.size, forKey: .size)
    try container.encode(self.headHash, forKey: .headHash)
    try container.encode(self.problems, forKey: .problems)
  }
}
