import Foundation

/// Opaque cursors for paged lists: clients pass back what they were given, and the server
/// can change the encoding without breaking them.
enum PageToken {
  private static let prefix = "v1:"

  /// The token for a page starting after `sequence`.
  static func encode(_ sequence: Int) -> String {
    Data((Self.prefix + String(sequence)).utf8).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }

  /// The sequence a token continues after; 0 for the empty token of a first page.
  static func decode(_ token: String) throws(IdentityValidationError) -> Int {
    guard !token.isEmpty else { return 0 }
    var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    guard let data = Data(base64Encoded: base64),
      let text = String(data: data, encoding: .utf8), text.hasPrefix(Self.prefix),
      let sequence = Int(text.dropFirst(Self.prefix.count)), sequence > 0
    else {
      throw IdentityValidationError(
        field: "page_token", reason: "not a token this server issued; start again without one")
    }
    return sequence
  }

  /// The page a request asks for: its token decoded and its size checked (0 means
  /// `defaultSize`).
  ///
  /// - Throws: ``IdentityValidationError`` on `page_size` above `limit` or on a foreign token.
  static func request(token: String, size: UInt32, default defaultSize: Int, limit: Int)
    throws(IdentityValidationError) -> PageRequest
  {
    guard size <= limit else {
      throw IdentityValidationError(field: "page_size", reason: "at most \(limit), got \(size)")
    }
    return PageRequest(
      afterSequence: try Self.decode(token), size: size == 0 ? defaultSize : Int(size))
  }
}
