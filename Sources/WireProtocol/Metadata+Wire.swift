import Foundation
import GRPCCore

/// The wire form of metadata and the rules every metadata block must follow.
extension Metadata {
  /// Reads a metadata block from its wire entries, enforcing the key syntax and the size cap.
  ///
  /// - Throws: `RPCError` with `.resourceExhausted` if the block is larger than `limit`
  ///   bytes, or `.invalidArgument` naming the first bad key or value.
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
        size += entry.key.utf8.count + text.utf8.count
        self.addString(text, forKey: entry.key)
      case .none:
        size += entry.key.utf8.count
        self.addString("", forKey: entry.key)
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
