import Foundation
import GRPCCore

/// The wire form of metadata and the rules every metadata block must follow.
extension Metadata {
  /// Reads a metadata block from its wire entries, enforcing the key syntax and the size cap.
  ///
  /// - Throws: `RPCError` with `.resourceExhausted` if the block is larger than `limit`
  ///   bytes, or `.invalidArgument` naming the first bad key or value (including a
  ///   `grpc-timeout` that is not 1-8 digits and a unit: GRPCCore 2.4.3 would crash on some).
  init(wireEntries entries: [Volunteer_Wire_V1_MetadataEntry], limit: Int) throws(RPCError) {
    var size = 0
    self.init()
    self.reserveCapacity(entries.count)
    for entry in entries {
      guard Self.isValidKey(entry.key) else {
        throw RPCError(
          code: .invalidArgument,
          message: "invalid metadata key \"\(entry.key)\": keys are 1-255 lower-case ASCII "
            + "characters from [0-9a-z_.-]"
        )
      }
      let isBinaryKey = entry.key.hasSuffix("-bin")
      switch entry.value {
      case .binary(let bytes) where isBinaryKey:
        size += entry.key.utf8.count + bytes.count
        self.addBinary(Array(bytes), forKey: entry.key)
      case .text(let text) where !isBinaryKey:
        guard text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
          throw RPCError(
            code: .invalidArgument,
            message: "metadata \"\(entry.key)\" must be printable ASCII; use a key ending in "
              + "\"-bin\" for binary values"
          )
        }
        if entry.key == Self.timeoutKey, Self.parseTimeout(text) == nil {
          throw Self.invalidTimeout(text)
        }
        size += entry.key.utf8.count + text.utf8.count
        self.addString(text, forKey: entry.key)
      case .none:
        size += entry.key.utf8.count
        if entry.key == Self.timeoutKey { throw Self.invalidTimeout("") }
        if isBinaryKey { self.addBinary([], forKey: entry.key) } else { self.addString("", forKey: entry.key) }
      default:
        throw RPCError(
          code: .invalidArgument,
          message: "metadata \"\(entry.key)\": keys ending in \"-bin\" carry binary values, "
            + "all other keys carry text"
        )
      }
      guard size <= limit else {
        throw RPCError(
          code: .resourceExhausted,
          message: "metadata exceeds the limit of \(limit) bytes"
        )
      }
    }
  }

  /// The key carrying a call's deadline.
  static let timeoutKey = "grpc-timeout"

  /// The call's deadline: the first `grpc-timeout` value, if any (validated on receipt).
  var wireTimeout: Duration? {
    self[stringValues: Self.timeoutKey].first(where: { _ in true }).flatMap(Self.parseTimeout)
  }

  /// Parses a gRPC timeout: 1 to 8 ASCII digits followed by a unit, `H` (hours), `M`
  /// (minutes), `S` (seconds), `m` (milliseconds), `u` (microseconds) or `n` (nanoseconds).
  static func parseTimeout(_ text: String) -> Duration? {
    let utf8 = Array(text.utf8)
    guard (2...9).contains(utf8.count), let unit = utf8.last else { return nil }
    var amount: Int64 = 0
    for digit in utf8.dropLast() {
      guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
      amount = amount * 10 + Int64(digit - UInt8(ascii: "0"))
    }
    switch unit {
    case UInt8(ascii: "H"): return .seconds(amount * 3600)
    case UInt8(ascii: "M"): return .seconds(amount * 60)
    case UInt8(ascii: "S"): return .seconds(amount)
    case UInt8(ascii: "m"): return .milliseconds(amount)
    case UInt8(ascii: "u"): return .microseconds(amount)
    case UInt8(ascii: "n"): return .nanoseconds(amount)
    default: return nil
    }
  }

  private static func invalidTimeout(_ text: String) -> RPCError {
    RPCError(
      code: .invalidArgument,
      message: "metadata \"grpc-timeout\" is \"\(text)\": expected 1 to 8 digits followed by a "
        + "unit, one of H M S m u n (e.g. \"500m\")")
  }

  /// The metadata as wire entries.
  var wireEntries: [Volunteer_Wire_V1_MetadataEntry] {
    self.map { element in
      var entry = Volunteer_Wire_V1_MetadataEntry()
      entry.key = element.key
      switch element.value {
      case .string(let text): entry.text = text
      case .binary(let bytes): entry.binary = .init(bytes)
      }
      return entry
    }
  }

  /// The size of the block as the size cap counts it: key and value bytes.
  var wireSize: Int {
    self.reduce(0) { total, element in
      switch element.value {
      case .string(let text): total + element.key.utf8.count + text.utf8.count
      case .binary(let bytes): total + element.key.utf8.count + bytes.count
      }
    }
  }

  private static func isValidKey(_ key: String) -> Bool {
    let utf8 = key.utf8
    guard (1...255).contains(utf8.count) else { return false }
    return utf8.allSatisfy { byte in
      (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }
  }
}
