import ArgumentParser
import Credentials
import Foundation
import GRPCCore
import WireProtocol

struct CredentialEvidenceCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evidence",
    abstract: "Export the records behind a credential's evidence digest and check the digest.",
    discussion: """
      Calls Credentials.ExportEvidence and writes the canonical evidence text: the line \
      vrs-evidence-v1, then one `recordId,minutes` line per approved record the evaluation \
      counted, sorted by record id (docs/CREDENTIALS.md, section 2). Then it recomputes the \
      SHA-256 locally, fetches the credential (GetCredential) and compares: it prints the \
      record count, total minutes, both digests and whether they match, and exits 1 when \
      they do not (or the record counts differ).

      With --out the text goes to FILE (replaced if it exists) and the comparison to \
      standard output; without --out the text goes to standard output and the comparison to \
      standard error. With --json the comparison is one JSON object (holding the text too \
      when there is no --out).

      Anyone can check the file independently:
        openssl dgst -sha256 -binary evidence.txt | base64   # = the digest after "sha256-"

      Example:
        vol-admin credential evidence VC-2026-000001 --out evidence.txt
        vol-admin credential evidence VC-2026-000001 > evidence.txt
      """
  )

  @Argument(help: ArgumentHelp("The credential number, e.g. VC-2026-000001.", valueName: "number"))
  var number: String

  @Option(help: ArgumentHelp("Write the evidence text to this file.", valueName: "file"))
  var out: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try CredentialArguments.number(self.number, "<number>")
    if let out = self.out {
      guard !out.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw ValidationError("--out must not be empty.")
      }
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue {
        throw ValidationError("--out \(out) is a directory; name a file.")
      }
    }
  }

  func run() async throws {
    var request = Volunteer_V1_GetCredentialRequest()
    request.number = try CredentialArguments.number(self.number, "<number>")
    let (credential, text) = try await self.connection.withClient { client, options in
      let service = Volunteer_V1_Credentials.Client(wrapping: client)
      let credential = try await service.getCredential(request, options: options)
      // One credential's records: small enough to hold, and needed whole for the digest.
      let text = try await service.exportEvidence(request, options: options) { response in
        var text = Data()
        for try await chunk in response.messages {
          text.append(chunk.text)
        }
        return text
      }
      return (credential, text)
    }

    if let out = self.out {
      do {
        try text.write(to: URL(fileURLWithPath: out), options: .atomic)
      } catch {
        Console.error("error: cannot write \(out): \(ConnectionOptions.oneLine(error.localizedDescription))")
        throw ExitCode(ExitStatus.usage)
      }
    }

    let comparison = EvidenceComparison(number: request.number, credential: credential, text: text)
    var view = comparison.view
    view.file = self.out
    if self.connection.json {
      if self.out == nil { view.text = String(decoding: text, as: UTF8.self) }
      try Output.json(view)
    } else {
      if self.out == nil {
        FileHandle.standardOutput.write(text)
      }
      let lines = view.lines + (self.out.map { [("written to", $0)] } ?? [])
      if self.out == nil {
        // The text owns standard output; the comparison goes to standard error.
        let width = lines.map { $0.0.count }.max() ?? 0
        for (key, value) in lines {
          Console.error(key + ":" + String(repeating: " ", count: width - key.count) + "  " + (value.isEmpty ? "-" : value))
        }
      } else {
        Output.keyValues(lines)
      }
    }
    if !view.matches {
      if let problem = comparison.problem { Console.error("error: \(problem)") }
      throw ExitCode(ExitStatus.serverError)
    }
  }
}

/// The evidence text recomputed and compared with the credential's stated digest.
struct EvidenceComparison {
  var view: EvidenceView
  /// Why it does not match, or nil.
  var problem: String?

  init(number: String, credential: Volunteer_V1_Credential, text: Data) {
    self.view = EvidenceView(
      number: number, records: nil, totalMinutes: nil, computedDigest: nil,
      credentialDigest: credential.evidenceDigest, credentialRecords: Int(credential.evidenceRecords),
      matches: false, file: nil, text: nil)
    guard let string = String(data: text, encoding: .utf8) else {
      self.problem = "the evidence text is not UTF-8"
      return
    }
    // The canonical text starts with its format line (which compute(fromExport:) skips).
    guard string.hasPrefix(EvidenceDigest.formatLine + "\n") else {
      self.problem = "the evidence text does not start with the line \(EvidenceDigest.formatLine)"
      return
    }
    let digest: EvidenceDigest
    do {
      digest = try EvidenceDigest.compute(fromExport: string)
    } catch {
      self.problem = "the evidence text cannot be read: \(error.description)"
      return
    }
    self.view.records = digest.recordCount
    self.view.totalMinutes = digest.totalMinutes
    self.view.computedDigest = digest.sri
    if digest.sri != credential.evidenceDigest {
      self.problem =
        "the digest recomputed from the exported records (\(digest.sri)) differs from the "
        + "credential's (\(credential.evidenceDigest.isEmpty ? "none" : credential.evidenceDigest))"
    } else if digest.recordCount != Int(credential.evidenceRecords) {
      self.problem =
        "the export has \(digest.recordCount) records but the credential states "
        + "\(credential.evidenceRecords)"
    } else {
      self.view.matches = true
    }
  }
}

struct EvidenceView: Encodable {
  var number: String
  var records: Int?
  var totalMinutes: Int?
  var computedDigest: String?
  var credentialDigest: String
  var credentialRecords: Int
  var matches: Bool
  var file: String?
  var text: String?

  enum CodingKeys: String, CodingKey {
    case number, records, matches, file, text
    case totalMinutes = "total_minutes"
    case computedDigest = "computed_digest"
    case credentialDigest = "credential_digest"
    case credentialRecords = "credential_records"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.number, forKey: .number)
    try container.encode(self.records, forKey: .records)
    try container.encode(self.totalMinutes, forKey: .totalMinutes)
    try container.encode(self.computedDigest, forKey: .computedDigest)
    try container.encode(self.credentialDigest, forKey: .credentialDigest)
    try container.encode(self.credentialRecords, forKey: .credentialRecords)
    try container.encode(self.matches, forKey: .matches)
    try container.encode(self.file, forKey: .file)
    if let text = self.text { try container.encode(text, forKey: .text) }
  }

  var lines: [(String, String)] {
    [
      ("credential", self.number),
      ("records", self.records.map(String.init) ?? ""),
      ("total minutes", self.totalMinutes.map(String.init) ?? ""),
      ("computed digest", self.computedDigest ?? ""),
      ("credential digest", self.credentialDigest),
      ("credential records", String(self.credentialRecords)),
      ("match", self.matches ? "yes" : "NO"),
    ]
  }
}
