import ArgumentParser
import Foundation
import GRPCCore
import WireProtocol

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// What `import volunteers` and `import hours` share: the options, reading the file and its
// header, row keys, progress, the report of refused rows and the summary.

/// The file and the options every import takes.
struct ImportOptions: ParsableArguments {
  @Argument(help: ArgumentHelp("The CSV file: UTF-8, a header row first.", valueName: "file.csv"))
  var file: String

  @Option(
    help: ArgumentHelp(
      "Where to write the refused rows with the reasons (default: FILE.refused.csv next to FILE).",
      valueName: "path"))
  var report: String?

  @Flag(help: "Send nothing unless every row passes the local checks.")
  var strict = false

  @Flag(help: "Only check the file locally and report bad rows; send nothing.")
  var dryRun = false

  /// The report's path: --report, or FILE with ".csv" replaced by ".refused.csv".
  var reportPath: String {
    if let report = self.report { return report }
    let base =
      self.file.lowercased().hasSuffix(".csv") ? String(self.file.dropLast(4)) : self.file
    return base + ".refused.csv"
  }

  func validate() throws {
    guard !self.file.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw ValidationError("<file.csv> must not be empty.")
    }
    if let report = self.report, report.trimmingCharacters(in: .whitespaces).isEmpty {
      throw ValidationError("--report must not be empty.")
    }
  }
}

/// An import file read and its header checked.
struct ImportTable {
  var path: String
  /// The header as written (trimmed).
  var header: [String]
  /// Column index by lower-cased name.
  var columns: [String: Int]
  /// The data rows.
  var rows: [CSV.Record]

  /// Reads and parses `path`; a problem with the whole file (missing, not UTF-8, no header,
  /// unknown or missing columns, an unclosed quote) is reported on standard error and ends
  /// the command with exit code 2.
  static func load(path: String, known: [String], required: [String]) throws -> ImportTable {
    func fail(_ message: String) -> ExitCode {
      Console.error("error: \(path): \(message)")
      return ExitCode(ExitStatus.usage)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        throw fail(isDirectory.boolValue ? "is a directory, not a CSV file" : "cannot be read")
      }
      throw fail("no such file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw fail("is not UTF-8 text; save the file as CSV UTF-8")
    }
    let records: [CSV.Record]
    do {
      records = try CSV.parse(text)
    } catch {
      throw fail("\(error)")
    }
    guard let first = records.first else {
      throw fail("is empty; the first row must name the columns: \(known.joined(separator: ","))")
    }
    if let problem = first.problem {
      throw fail("line \(first.line) (the header): \(problem)")
    }
    let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
    var columns: [String: Int] = [:]
    for (index, name) in header.enumerated() {
      let key = name.lowercased()
      guard known.contains(key) else {
        throw fail(
          "line \(first.line): unknown column '\(name)'; the columns are "
            + "\(known.joined(separator: ", ")) (a header row is required)")
      }
      guard columns[key] == nil else {
        throw fail("line \(first.line): column '\(name)' appears twice in the header")
      }
      columns[key] = index
    }
    let missing = required.filter { columns[$0] == nil }
    guard missing.isEmpty else {
      throw fail(
        "line \(first.line): the header lacks the column\(missing.count == 1 ? "" : "s") "
          + "\(missing.joined(separator: ", ")) (a header row is required; columns: "
          + "\(known.joined(separator: ", ")))")
    }
    return ImportTable(
      path: path, header: header, columns: columns, rows: Array(records.dropFirst()))
  }

  /// The row's value in `column`, trimmed; nil when the column is absent or the cell empty.
  func value(_ row: CSV.Record, _ column: String) -> String? {
    guard let index = self.columns[column], index < row.fields.count else { return nil }
    let value = row.fields[index].trimmingCharacters(in: .whitespacesAndNewlines)
    return value.isEmpty ? nil : value
  }

  /// The value of a required column; throws a message naming it when empty.
  func required(_ row: CSV.Record, _ column: String) throws -> String {
    guard let value = self.value(row, column) else {
      throw ValidationError("\(column) is required.")
    }
    return value
  }

  /// Why the row cannot be read at all (malformed, or the wrong number of fields), or nil.
  func structuralProblem(_ row: CSV.Record) -> String? {
    if let problem = row.problem { return problem }
    if row.fields.count != self.header.count {
      return "has \(row.fields.count) field\(row.fields.count == 1 ? "" : "s") but the header "
        + "has \(self.header.count); check for an unquoted comma (quote fields that contain "
        + "commas)"
    }
    return nil
  }
}

/// Idempotency keys of import rows.
///
/// A row's key is its `key` column when given, else "import-" and the FNV-1a 128-bit hash
/// of the row's canonical content: the values the request is built from, after
/// normalisation (trimmed, upper-case document numbers, times as UTC instants), in a fixed
/// order. Re-saving the file (other quoting, line endings, column order, time offsets) keeps
/// every key, so a rerun replays rows imported before instead of duplicating them.
///
/// FNV-1a is not a cryptographic hash, and need not be: keys are scoped to the principal
/// (the partner) that sends them, and the service compares a SHA-256 digest of each
/// request's content with the one stored under the key, so a collision would at worst refuse
/// a row (FAILED_PRECONDITION), never merge two records. With 128 bits the chance of any
/// collision among a million rows is about 10^-27. vol-admin has no SHA-256 of its own
/// (swift-crypto is not one of its dependencies).
enum RowKey {
  static func derive(kind: String, _ canonical: [String]) -> String {
    var hash = FNV1a128()
    hash.combine(Array("vol-admin import \(kind) v1".utf8))
    for value in canonical {
      hash.combine([0x1F])
      hash.combine(Array(value.utf8))
    }
    return "import-" + hash.hex
  }
}

/// FNV-1a with a 128-bit state (offset basis 0x6c62272e07bb014262b821756295c58d, prime
/// 2^88 + 0x13B).
struct FNV1a128 {
  var high: UInt64 = 0x6c62_272e_07bb_0142
  var low: UInt64 = 0x62b8_2175_6295_c58d

  mutating func combine(_ bytes: [UInt8]) {
    for byte in bytes {
      self.low ^= UInt64(byte)
      // (high·2^64 + low) · (2^88 + 0x13B) mod 2^128
      let product = self.low.multipliedFullWidth(by: 0x13B)
      self.high = self.high &* 0x13B &+ product.high &+ (self.low << 24)
      self.low = product.low
    }
  }

  var hex: String {
    func hex64(_ value: UInt64) -> String {
      let digits = String(value, radix: 16)
      return String(repeating: "0", count: 16 - digits.count) + digits
    }
    return hex64(self.high) + hex64(self.low)
  }
}

/// What happened to one row.
enum ImportOutcome: String, Encodable {
  /// Newly registered or logged.
  case accepted
  /// Imported before (replayed under the same key), or, for volunteers, registered already
  /// under another key (ALREADY_EXISTS).
  case alreadyPresent = "already_present"
  /// Refused by the local checks or by the service; in the report.
  case refused
  /// Not sent: --strict or --dry-run, or the import stopped early.
  case notSent = "not_sent"
}

struct ImportRowResult: Encodable {
  var line: Int
  var key: String?
  var outcome: ImportOutcome
  /// The volunteer number (volunteers) or the record id (hours) the service gave the row.
  var id: String?
  /// LOCAL for a local check, else the gRPC status name.
  var code: String?
  var reason: String?

  /// How `id` is named in JSON: volunteer_number or record_id.
  var idName: String = "id"

  struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { self.stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    try container.encode(self.line, forKey: Key("line"))
    try container.encode(self.key, forKey: Key("key"))
    try container.encode(self.outcome, forKey: Key("outcome"))
    try container.encode(self.id, forKey: Key(self.idName))
    try container.encode(self.code, forKey: Key("code"))
    try container.encode(self.reason, forKey: Key("reason"))
  }
}

/// Why an import stopped before sending every row.
enum ImportStop {
  /// The service could not be reached (or kept timing out) after retries: exit 3.
  case unreachable(String)
  /// The service refused the calls themselves (e.g. PERMISSION_DENIED): exit 1.
  case refused(String)
}

/// Retrying calls whose outcome is unknown. Every import row carries its idempotency key,
/// so resending is always safe.
enum ImportRetry {
  static let attempts = 4

  /// Whether a failed call may succeed when sent again.
  static func isTransient(_ error: any Error) -> Bool {
    guard let error = error as? RPCError else { return true }
    switch error.code {
    case .unavailable, .deadlineExceeded, .cancelled, .aborted: return true
    default: return false
    }
  }

  /// Whether a failed call means no call of this kind can succeed (wrong certificate or role).
  static func isFatal(_ error: any Error) -> Bool {
    guard let error = error as? RPCError else { return false }
    switch error.code {
    case .unauthenticated, .permissionDenied, .unimplemented: return true
    default: return false
    }
  }

  static func describe(_ error: any Error) -> (code: String, message: String) {
    if let error = error as? RPCError {
      return (error.code.upperSnakeCaseName, ConnectionOptions.oneLine(error.message))
    }
    return ("UNAVAILABLE", ConnectionOptions.oneLine(String(describing: error)))
  }

  static func backoff(attempt: Int) async {
    try? await Task.sleep(for: .milliseconds(250 << min(attempt, 5)))
  }
}

/// A progress bar on standard error: redrawn in place on a terminal, a plain line every
/// 10 % otherwise (so logs of scripted runs stay readable).
final class ImportProgress {
  let total: Int
  let label: String
  let isTerminal: Bool
  private(set) var done = 0
  private let started = Date()
  private var lastDraw = Date.distantPast
  private var reportedTenths = 0

  init(total: Int, label: String) {
    self.total = total
    self.label = label
    self.isTerminal = isatty(STDERR_FILENO) == 1
  }

  func advance(by count: Int) {
    guard self.total > 0, count > 0 else { return }
    self.done = min(self.total, self.done + count)
    let now = Date()
    if self.isTerminal {
      guard self.done == self.total || now.timeIntervalSince(self.lastDraw) >= 0.1 else { return }
      self.lastDraw = now
      let width = 24
      let filled = self.done * width / self.total
      let bar =
        String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
      Self.write(
        "\r\(self.label) [\(bar)] \(self.percent)%  \(self.done)/\(self.total)  "
          + self.rate(separator: "  ") + "\u{1B}[K")
    } else {
      let tenths = self.done * 10 / self.total
      guard tenths > self.reportedTenths else { return }
      self.reportedTenths = tenths
      Self.write(
        "\(self.label): \(tenths * 10)% (\(self.done)/\(self.total) rows, "
          + self.rate(separator: ", ") + ")\n")
    }
  }

  /// Ends the bar's line on a terminal.
  func finish() {
    if self.isTerminal, self.total > 0, self.done > 0 { Self.write("\n") }
  }

  private var percent: Int { self.done * 100 / self.total }

  /// "123.4 rows/s  ETA 0:05"
  private func rate(separator: String) -> String {
    let elapsed = max(Date().timeIntervalSince(self.started), 0.001)
    let perSecond = Double(self.done) / elapsed
    let remaining = self.total - self.done
    var text = String(format: "%.1f rows/s", perSecond)
    if remaining > 0, perSecond > 0 {
      let seconds = Int((Double(remaining) / perSecond).rounded(.up))
      text += separator + "ETA " + Self.duration(seconds)
    } else if remaining == 0 {
      text += separator + "done in " + Self.duration(Int(elapsed.rounded(.up)))
    }
    return text
  }

  static func duration(_ seconds: Int) -> String {
    let h = seconds / 3600
    let m = seconds / 60 % 60
    let s = seconds % 60
    let mmss = CalendarDate.pad(m, h > 0 ? 2 : 1) + ":" + CalendarDate.pad(s, 2)
    return h > 0 ? "\(h):\(mmss)" : mmss
  }

  private static func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}

/// The end of an import: the report of refused rows, the summary and the exit code.
struct ImportSummary: Encodable {
  var kind: String
  var file: String
  var dryRun: Bool
  var rows: Int
  var accepted: Int
  var alreadyPresent: Int
  var refused: Int
  var refusedLocally: Int
  var notSent: Int
  var report: String?
  var results: [ImportRowResult]

  enum CodingKeys: String, CodingKey {
    case kind, file, rows, accepted, refused, report, results
    case dryRun = "dry_run"
    case alreadyPresent = "already_present"
    case refusedLocally = "refused_locally"
    case notSent = "not_sent"
  }

  init(kind: String, table: ImportTable, dryRun: Bool, results: [ImportRowResult]) {
    self.kind = kind
    self.file = table.path
    self.dryRun = dryRun
    self.rows = results.count
    self.accepted = results.filter { $0.outcome == .accepted }.count
    self.alreadyPresent = results.filter { $0.outcome == .alreadyPresent }.count
    self.refused = results.filter { $0.outcome == .refused }.count
    self.refusedLocally = results.filter { $0.outcome == .refused && $0.code == "LOCAL" }.count
    self.notSent = results.filter { $0.outcome == .notSent }.count
    self.results = results
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.kind, forKey: .kind)
    try container.encode(self.file, forKey: .file)
    try container.encode(self.dryRun, forKey: .dryRun)
    try container.encode(self.rows, forKey: .rows)
    try container.encode(self.accepted, forKey: .accepted)
    try container.encode(self.alreadyPresent, forKey: .alreadyPresent)
    try container.encode(self.refused, forKey: .refused)
    try container.encode(self.refusedLocally, forKey: .refusedLocally)
    try container.encode(self.notSent, forKey: .notSent)
    try container.encode(self.report, forKey: .report)
    try container.encode(self.results, forKey: .results)
  }
}

enum ImportFinish {
  /// Lists the rows that failed the local checks on standard error (the first 20; all of
  /// them go to the report).
  static func listLocalProblems(_ results: [ImportRowResult], file: String) {
    let bad = results.filter { $0.outcome == .refused && $0.code == "LOCAL" }
    guard !bad.isEmpty else { return }
    Console.error("\(file): \(bad.count) row\(bad.count == 1 ? "" : "s") failed the local checks:")
    for result in bad.prefix(20) {
      Console.error("  line \(result.line): \(result.reason ?? "")")
    }
    if bad.count > 20 {
      Console.error("  ... and \(bad.count - 20) more (all are in the report)")
    }
  }

  /// Writes the report, prints the summary and ends with the exit code: 0 when every row is
  /// accepted or already present, 1 when any was refused (or the service refused the calls),
  /// 2 when local checks failed under --strict or --dry-run, 3 when the service could not be
  /// reached.
  /// Sends the rows that passed the local checks (unless this is a dry run, or a strict run
  /// with local refusals), merges the server's answers into the local results, then prints
  /// the summary and writes the report through ``finish(kind:table:options:results:stop:json:)``.
  static func sendAndFinish(
    kind: String, table: ImportTable, options: ImportOptions, localResults: [ImportRowResult],
    hasRowsToSend: Bool, json: Bool,
    send: () async throws -> (results: [Int: ImportRowResult], stop: ImportStop?)
  ) async throws {
    Self.listLocalProblems(localResults, file: table.path)
    var results = localResults
    var stop: ImportStop?
    let sendNothing = options.dryRun || (options.strict && results.contains { $0.outcome == .refused })
    if !sendNothing, hasRowsToSend {
      let outcome = try await send()
      for (index, result) in outcome.results {
        results[index].outcome = result.outcome
        results[index].id = result.id
        results[index].code = result.code
        results[index].reason = result.reason
      }
      stop = outcome.stop
    }
    try Self.finish(kind: kind, table: table, options: options, results: results, stop: stop, json: json)
  }

  static func finish(
    kind: String, table: ImportTable, options: ImportOptions, results: [ImportRowResult],
    stop: ImportStop?, json: Bool
  ) throws {
    var summary = ImportSummary(
      kind: kind, table: table, dryRun: options.dryRun, results: results)
    if summary.refused > 0 {
      let path = options.reportPath
      var text = CSV.line(["line", "idempotency_key", "code", "reason"] + table.header)
      let rows = Dictionary(
        table.rows.map { ($0.line, $0) }, uniquingKeysWith: { first, _ in first })
      for result in results where result.outcome == .refused {
        var fields = rows[result.line]?.fields ?? []
        fields += Array(repeating: "", count: max(0, table.header.count - fields.count))
        text += CSV.line(
          [String(result.line), result.key ?? "", result.code ?? "", result.reason ?? ""]
            + fields)
      }
      do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        summary.report = path
      } catch {
        Console.error("error: cannot write the report to \(path): \(error.localizedDescription)")
      }
    }

    if json {
      try Output.json(summary)
    } else {
      var lines: [(String, String)] = [("file", table.path), ("rows", String(summary.rows))]
      if options.dryRun {
        lines += [
          ("valid", String(summary.rows - summary.refused)),
          ("invalid", String(summary.refused)),
        ]
      } else {
        lines += [
          ("accepted", String(summary.accepted)),
          ("already present", String(summary.alreadyPresent)),
          ("refused", String(summary.refused)),
          ("refused locally", String(summary.refusedLocally)),
          ("not sent", String(summary.notSent)),
        ]
      }
      lines.append(("report", summary.report ?? "none (nothing refused)"))
      Output.keyValues(lines)
    }

    switch stop {
    case .unreachable(let message):
      Console.error(
        "error: \(message); \(summary.notSent) row\(summary.notSent == 1 ? "" : "s") not sent. "
          + "Rerun the same command when the service is back: rows already imported replay "
          + "instead of duplicating.")
      throw ExitCode(ExitStatus.cannotConnect)
    case .refused(let message):
      Console.error(
        "error: \(message); \(summary.notSent) row\(summary.notSent == 1 ? "" : "s") not sent.")
      throw ExitCode(ExitStatus.serverError)
    case nil:
      break
    }
    if options.dryRun || options.strict, summary.refusedLocally > 0 {
      Console.error(
        "error: \(summary.refusedLocally) row\(summary.refusedLocally == 1 ? "" : "s") failed "
          + "the local checks; nothing was sent"
          + (options.dryRun
            ? " (--dry-run)."
            : " (--strict). Fix them, or import without --strict to send the valid rows."))
      throw ExitCode(ExitStatus.usage)
    }
    if summary.refused > 0 {
      throw ExitCode(ExitStatus.serverError)
    }
  }
}
