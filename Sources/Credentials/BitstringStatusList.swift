import Foundation

/// A W3C Bitstring Status List: one bit per credential, 1 = the status (revoked or
/// suspended) applies.
///
/// Bit order follows the specification: index 0 is the most significant bit of the first
/// byte, index 7 its least significant, index 8 the most significant bit of the second byte.
/// Lists have at least 131,072 entries so that one bit does not single out a credential.
public struct BitstringStatusList: Sendable, Equatable {
  /// The W3C minimum number of entries (16 KiB).
  public static let minimumSize = 131_072
  /// Default cap on the decompressed size accepted by ``decode(encodedList:maximumBytes:)``
  /// (16 Mi entries), far above what we issue and far below what a bomb would produce.
  public static let defaultMaximumBytes = 2 * 1024 * 1024

  /// The raw bitstring.
  public private(set) var bytes: [UInt8]

  /// Number of entries (bits).
  public var size: Int { bytes.count * 8 }

  /// A list of `size` zero bits; `size` must be a multiple of 8 and at least 131,072.
  public init(size: Int = BitstringStatusList.minimumSize) throws(StatusListError) {
    guard size >= Self.minimumSize, size % 8 == 0 else { throw .tooSmall(bits: size) }
    bytes = [UInt8](repeating: 0, count: size / 8)
  }

  /// Wraps a raw bitstring (e.g. decompressed from a list).
  public init(bytes: [UInt8]) throws(StatusListError) {
    guard bytes.count * 8 >= Self.minimumSize else { throw .tooSmall(bits: bytes.count * 8) }
    self.bytes = bytes
  }

  /// Whether the bit at `index` is set.
  public func get(_ index: Int) throws(StatusListError) -> Bool {
    try check(index)
    return bytes[index / 8] & mask(index) != 0
  }

  /// Sets the bit at `index` (applies the status).
  public mutating func set(_ index: Int) throws(StatusListError) {
    try check(index)
    bytes[index / 8] |= mask(index)
  }

  /// Clears the bit at `index` (lifts a suspension; never do this for revocation).
  public mutating func clear(_ index: Int) throws(StatusListError) {
    try check(index)
    bytes[index / 8] &= ~mask(index)
  }

  /// The `encodedList` value: `u` (multibase base64url) + base64url(GZIP(bitstring)).
  public func encodedList() throws(StatusListError) -> String {
    "u" + Base64URL.encode(try Gzip.compress(Data(bytes)))
  }

  /// Parses an `encodedList`, refusing anything that decompresses beyond `maximumBytes`.
  /// A missing `u` prefix is tolerated (pre-Recommendation drafts omitted it).
  public static func decode(
    encodedList: String, maximumBytes: Int = defaultMaximumBytes
  ) throws(StatusListError) -> BitstringStatusList {
    let text = encodedList.hasPrefix("u") ? String(encodedList.dropFirst()) : encodedList
    let compressed: Data
    do { compressed = try Base64URL.decode(text) } catch { throw .invalidEncoding(error.description) }
    let raw = try Gzip.decompress(compressed, limit: maximumBytes)
    return try BitstringStatusList(bytes: [UInt8](raw))
  }

  private func check(_ index: Int) throws(StatusListError) {
    guard index >= 0, index < size else { throw .indexOutOfRange(index: index, size: size) }
  }

  private func mask(_ index: Int) -> UInt8 {
    UInt8(0x80) >> UInt8(index % 8)
  }
}
