import ArgumentParser
import Credentials
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct CredentialVerifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Verify an exported credential bundle offline.",
    discussion: """
      Checks a bundle written by `credential export` with no network, no service and no \
      certificate (docs/CREDENTIALS.md, section 5): the key set; the manifest's signature and \
      that its key was active when it was signed; that the files are exactly those in the \
      manifest, each with its SHA-256 and size; the signed status lists; and every line of \
      credentials.jsonl — its signature by kid, the signing key's status at issue time (a \
      key marked compromised fails everything it signed), the claims, and the revocation and \
      suspension bits. One flipped byte anywhere in the bundle is caught.

      Prints the manifest's time and filters, a summary line, then one line per failing \
      credential — "revoked: ", "suspended: " (genuine credentials the issuer withdrew) or \
      "invalid: ", then the number, the line in credentials.jsonl and the reasons — and one \
      "bundle problem: " line per integrity problem, and last "result: passed" or \
      "result: FAILED". Exits 0 only when everything passed, 1 otherwise, 2 on a usage \
      error.

      By default the bundle's own jwks.json is trusted, which proves the bundle is intact \
      and internally consistent. --jwks names a key set obtained independently (e.g. \
      `vol-admin keys export-jwks` or the issuer's published JWKS): every bundled key must \
      be in it, and its lifecycle data — a key marked compromised after the export — is what \
      the credentials are judged by. Expiry is not checked unless --check-expiry is given.

      Example:
        vol-admin credential verify audit-2026
        vol-admin credential verify audit-2026 --jwks issuer-jwks.json --check-expiry
        vol-admin credential verify audit-2026 --json
      """
  )

  @Argument(help: ArgumentHelp("The bundle directory written by `credential export`.", valueName: "dir"))
  var directory: String

  @Option(help: ArgumentHelp("A key set (JWKS) to trust instead of the bundle's own.", valueName: "file"))
  var jwks: String?

  @Flag(help: "Also fail credentials whose validUntil has passed (judged now).")
  var checkExpiry = false

  @Flag(help: "Print one JSON object with snake_case keys instead of text.")
  var json = false

  func validate() throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: self.directory, isDirectory: &isDirectory) else {
      throw ValidationError("<dir> \(self.directory) does not exist.")
    }
    guard isDirectory.boolValue else {
      throw ValidationError("<dir> \(self.directory) is not a directory; name the bundle directory `credential export` wrote.")
    }
    if let jwks = self.jwks {
      guard FileManager.default.fileExists(atPath: jwks, isDirectory: &isDirectory), !isDirectory.boolValue else {
        throw ValidationError("--jwks \(jwks) is not a file.")
      }
    }
  }

  func run() throws {
    var trusted: JWKSet?
    if let path = self.jwks {
      guard let data = FileManager.default.contents(atPath: path) else {
        Console.error("error: cannot read --jwks \(path).")
        throw ExitCode(ExitStatus.usage)
      }
      do {
        trusted = try JWKSet.decode(data)
      } catch {
        Console.error("error: --jwks \(path) is not a usable key set: \(ConnectionOptions.oneLine(error.description))")
        throw ExitCode(ExitStatus.usage)
      }
    }

    let verifier = BundleVerifier(trustedKeySet: trusted, now: self.checkExpiry ? Date() : nil)
    // A counter on a terminal only, so scripted output stays clean.
    let onTerminal = isatty(STDERR_FILENO) == 1
    let report = verifier.verify(directory: self.directory) { count in
      guard onTerminal else { return }
      FileHandle.standardError.write(Data("\rverifying: \(count) credentials checked\u{1B}[K".utf8))
    }
    if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }

    let view = BundleReportView(report)
    if self.json {
      try Output.json(VerifyView(directory: self.directory, trustedKeySet: self.jwks, report: view))
    } else {
      var header: [(String, String)] = [
        ("directory", self.directory),
        ("key set", self.jwks.map { "trusted: \($0)" } ?? "the bundle's own jwks.json"),
      ]
      if let manifest = view.manifest {
        header.append(("created", manifest.created))
        header.append((
          "filters",
          manifest.filters.isEmpty
            ? "none" : manifest.filters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        ))
      }
      Output.keyValues(header)
      view.printLines()
      Output.keyValues([
        ("result", report.passed ? "passed" : "FAILED: \(view.failures.count) credential(s), \(view.bundleProblems.count) bundle problem(s)")
      ])
    }
    if !report.passed {
      throw ExitCode(ExitStatus.serverError)
    }
  }
}

/// A ``BundleReport`` for printing: the counts, each failing credential with its kind
/// (revoked, suspended or invalid), and the bundle problems.
struct BundleReportView: Encodable {
  struct Failure: Encodable {
    var number: String
    var line: Int
    /// revoked, suspended (genuine but withdrawn by the issuer) or invalid.
    var kind: String
    var problems: [String]
    var description: String
  }

  struct Manifest: Encodable {
    var created: String
    var filters: [String: String]
    var credentials: Int
    var statusLists: Int
    var keys: Int

    enum CodingKeys: String, CodingKey {
      case created, filters, credentials, keys
      case statusLists = "status_lists"
    }
  }

  var passed: Bool
  var summary: String
  var credentials: Int
  var valid: Int
  var revoked: Int
  var suspended: Int
  var invalid: Int
  var failures: [Failure]
  var bundleProblems: [String]
  var manifest: Manifest?

  init(_ report: BundleReport) {
    self.passed = report.passed
    self.summary = report.summary
    self.credentials = report.credentialCount
    self.valid = report.validCount
    self.revoked = report.revokedCount
    self.suspended = report.suspendedCount
    self.invalid = report.invalidCount
    self.failures = report.failures.map { failure in
      let kind: String
      if !failure.isStatusOnly {
        kind = "invalid"
      } else if failure.problems.contains(where: { if case .revoked = $0 { true } else { false } }) {
        kind = "revoked"
      } else {
        kind = "suspended"
      }
      return Failure(
        number: failure.number, line: failure.line, kind: kind,
        problems: failure.problems.map { ConnectionOptions.oneLine($0.description) },
        description: ConnectionOptions.oneLine(failure.description))
    }
    self.bundleProblems = report.bundleProblems.map { ConnectionOptions.oneLine($0.description) }
    self.manifest = report.manifest.map {
      Manifest(
        created: $0.created, filters: $0.filters, credentials: $0.counts.credentials,
        statusLists: $0.counts.statusLists, keys: $0.counts.keys)
    }
  }

  enum CodingKeys: String, CodingKey {
    case passed, summary, credentials, valid, revoked, suspended, invalid, failures, manifest
    case bundleProblems = "bundle_problems"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.passed, forKey: .passed)
    try container.encode(self.summary, forKey: .summary)
    try container.encode(self.credentials, forKey: .credentials)
    try container.encode(self.valid, forKey: .valid)
    try container.encode(self.revoked, forKey: .revoked)
    try container.encode(self.suspended, forKey: .suspended)
    try container.encode(self.invalid, forKey: .invalid)
    try container.encode(self.failures, forKey: .failures)
    try container.encode(self.bundleProblems, forKey: .bundleProblems)
    try container.encode(self.manifest, forKey: .manifest)
  }

  /// The summary line, then "revoked: …", "suspended: …" or "invalid: …" per failing
  /// credential (`NUMBER (line N): reasons`), then "bundle problem: …" per integrity problem.
  func printLines() {
    Console.out(self.summary)
    for failure in self.failures {
      Console.out("\(failure.kind): \(failure.description)")
    }
    for problem in self.bundleProblems {
      Console.out("bundle problem: \(problem)")
    }
  }
}

struct VerifyView: Encodable {
  var directory: String
  var trustedKeySet: String?
  var report: BundleReportView

  enum CodingKeys: String, CodingKey {
    case directory, report
    case trustedKeySet = "trusted_key_set"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.directory, forKey: .directory)
    try container.encode(self.trustedKeySet, forKey: .trustedKeySet)
    try container.encode(self.report, forKey: .report)
  }
}
