import Credentials
import Foundation

/// The audit export: JSON Lines, one object per line, in this order:
///
/// 1. `{"format":"vrs-audit-export-v1","exported_at":…,"size":…,"head_hash":…}`
/// 2. `{"jwks":{…}}`: the public keys that signed the checkpoints
/// 3. `{"checkpoint":{…}}` lines, oldest first
/// 4. `{"entry":{…}}` lines, sequence 1 to `size`
///
/// An auditor verifies it offline with `vol-admin audit verify --file`, or with any JSON
/// tool plus SHA-256 and a JOSE library: the hash rule is in ``AuditEntry/computedHash()``
/// and docs/SECURITY.md.
public enum AuditExport {
  /// The value of the header's `format`.
  public static let format = "vrs-audit-export-v1"

  /// The first line.
  public struct Header: Codable, Sendable, Equatable {
    public var format = AuditExport.format
    public var exportedAt: String
    public var size: Int64
    public var headHash: String

    public init(exportedAt: String, size: Int64, headHash: String) {
      self.exportedAt = exportedAt
      self.size = size
      self.headHash = headHash
    }

    enum CodingKeys: String, CodingKey {
      case format, size
      case exportedAt = "exported_at"
      case headHash = "head_hash"
    }
  }

  /// One line of the export.
  public enum Line: Sendable, Equatable {
    case header(Header)
    case keySet(JWKSet)
    case checkpoint(AuditCheckpoint)
    case entry(AuditEntry)
  }

  private struct Wrapper: Codable {
    var format: String?
    var exportedAt: String?
    var size: Int64?
    var headHash: String?
    var jwks: JWKSet?
    var checkpoint: AuditCheckpoint?
    var entry: AuditEntry?

    enum CodingKeys: String, CodingKey {
      case format, size, jwks, checkpoint, entry
      case exportedAt = "exported_at"
      case headHash = "head_hash"
    }
  }

  /// One line of JSON, newline-terminated.
  public static func encode(_ line: Line) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var data: Data
    switch line {
    case .header(let header): data = try encoder.encode(header)
    case .keySet(let keySet): data = try encoder.encode(Wrapper(jwks: keySet))
    case .checkpoint(let checkpoint): data = try encoder.encode(Wrapper(checkpoint: checkpoint))
    case .entry(let entry): data = try encoder.encode(Wrapper(entry: entry))
    }
    data.append(0x0A)
    return data
  }

  /// Parses one line.
  ///
  /// - Throws: ``AuditExportError`` naming the line number when it is not one of the four kinds.
  public static func decode(_ line: Data, number: Int) throws(AuditExportError) -> Line {
    let wrapper: Wrapper
    do {
      wrapper = try JSONDecoder().decode(Wrapper.self, from: line)
    } catch {
      throw AuditExportError(line: number, message: "not a JSON object of the export: \(error)")
    }
    if let format = wrapper.format {
      guard format == Self.format else {
        throw AuditExportError(line: number, message: "format \"\(format)\" is not \(Self.format)")
      }
      guard let exportedAt = wrapper.exportedAt, let size = wrapper.size, let head = wrapper.headHash else {
        throw AuditExportError(line: number, message: "header lacks exported_at, size or head_hash")
      }
      return .header(Header(exportedAt: exportedAt, size: size, headHash: head))
    }
    if let keySet = wrapper.jwks { return .keySet(keySet) }
    if let checkpoint = wrapper.checkpoint { return .checkpoint(checkpoint) }
    if let entry = wrapper.entry { return .entry(entry) }
    throw AuditExportError(line: number, message: "neither a header, jwks, checkpoint nor entry")
  }

  /// Verifies an export read line by line from `lines` (each without its newline): the
  /// chain, every checkpoint, and that the header's size and head match the chain.
  ///
  /// - Parameter trustedKeySet: a key set obtained independently of the file; when given,
  ///   every checkpoint must also verify with it, so a file whose keys were replaced fails.
  ///
  /// - Throws: ``AuditExportError`` when the file is not an export (malformed or out of
  ///   order); tampering is reported in the returned report, not thrown.
  public static func verify<Lines: Sequence>(
    lines: Lines, trustedKeySet: JWKSet? = nil
  ) throws(AuditExportError) -> AuditReport
  where Lines.Element == Data {
    var header: Header?
    var keySet: JWKSet?
    var checkpoints: [AuditCheckpoint] = []
    var verifier: AuditChainVerifier?
    var number = 0
    for line in lines where !line.isEmpty {
      number += 1
      let parsed = try Self.decode(line, number: number)
      switch parsed {
      case .header(let value):
        guard number == 1 else { throw AuditExportError(line: number, message: "a second header") }
        header = value
      case .keySet(let value):
        guard header != nil, verifier == nil else {
          throw AuditExportError(line: number, message: "jwks must follow the header, before any entry")
        }
        keySet = value
      case .checkpoint(let value):
        guard keySet != nil, verifier == nil else {
          throw AuditExportError(line: number, message: "checkpoints must follow jwks, before any entry")
        }
        checkpoints.append(value)
      case .entry(let value):
        guard header != nil else { throw AuditExportError(line: number, message: "entry before the header") }
        if verifier == nil { verifier = AuditChainVerifier(checkpointSizes: Set(checkpoints.map(\.size))) }
        verifier?.add(value)
      }
    }
    guard let header else { throw AuditExportError(line: 1, message: "the file is empty") }
    var chain = verifier ?? AuditChainVerifier(checkpointSizes: Set(checkpoints.map(\.size)))
    let keys = keySet ?? JWKSet(keys: [])
    for checkpoint in checkpoints { chain.check(checkpoint, keySet: keys) }
    var report = chain.report
    if let trustedKeySet {
      for checkpoint in checkpoints {
        if let problem = checkpoint.problem(keySet: trustedKeySet) {
          report.problems.append("with the trusted key set: \(problem)")
        }
      }
    }
    if report.size != header.size || report.headHash != header.headHash {
      report.problems.append(
        "header states \(header.size) entries ending in \(header.headHash); the file holds \(report.size) ending in \(report.headHash) (entries were removed or added)")
    }
    return report
  }
}

/// An audit export that cannot be read, with the line at fault.
public struct AuditExportError: Error, Sendable, Equatable, CustomStringConvertible {
  /// 1-based line number.
  public var line: Int
  public var message: String

  public var description: String { "line \(self.line): \(self.message)" }
}
