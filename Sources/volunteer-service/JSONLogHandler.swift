import AuditTrail
import Foundation
import Logging
import Synchronization

/// Writes each log record as one JSON object on a line of standard error, for log shippers:
/// `time` (ISO 8601, UTC, milliseconds), `level`, `logger`, `message`, then the metadata
/// (the request id, method, principal, code and duration of each call among them).
struct JSONLogHandler: LogHandler {
  var logLevel: Logger.Level = .info
  var metadata: Logger.Metadata = [:]
  var metadataProvider: Logger.MetadataProvider?
  private let label: String

  init(label: String) {
    self.label = label
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { self.metadata[key] }
    set { self.metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var fields: [String: String] = [:]
    for (key, value) in self.metadataProvider?.get() ?? [:] { fields[key] = "\(value)" }
    for (key, value) in self.metadata { fields[key] = "\(value)" }
    for (key, value) in event.metadata ?? [:] { fields[key] = "\(value)" }
    var line = "{\"time\":\(Self.quoted(AuditEntry.timestamp(Date()))),\"level\":\(Self.quoted(event.level.rawValue))"
    line += ",\"logger\":\(Self.quoted(self.label)),\"message\":\(Self.quoted("\(event.message)"))"
    for key in fields.keys.sorted() where !["time", "level", "logger", "message"].contains(key) {
      line += ",\(Self.quoted(key)):\(Self.quoted(fields[key] ?? ""))"
    }
    line += "}\n"
    // One write per line, one writer at a time: lines longer than a pipe's atomic write must
    // not interleave.
    Self.output.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
  }

  private static let output = Mutex(())

  /// A JSON string literal: quotes, backslashes and control characters escaped.
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case let c where c.value < 0x20:
        let hex = String(c.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
