import Foundation

/// The one JSON configuration used for everything this module signs or writes.
///
/// Sorted keys and unescaped slashes make output deterministic and readable (URLs stay URLs);
/// dates are RFC 3339 / ISO 8601 UTC strings with whole seconds, which is what `validFrom`,
/// `validUntil` and the JWK lifecycle members use.
enum JSONCoding {
  static func encoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return encoder
  }

  static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
  }

  /// Whole seconds since 1970, the JWT NumericDate resolution; fractions are dropped.
  static func wholeSeconds(_ date: Date) -> Date {
    Date(timeIntervalSince1970: floor(date.timeIntervalSince1970))
  }

  /// RFC 3339 text (`2025-03-01T08:00:00Z`) for a date.
  static func timestamp(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle())
  }

  /// Parses RFC 3339 text with a `Z` or numeric offset, or returns nil.
  static func parseTimestamp(_ text: String) -> Date? {
    try? Date(text, strategy: Date.ISO8601FormatStyle())
  }
}
