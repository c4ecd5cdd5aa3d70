import Foundation

/// Base64url without padding (RFC 4648 §5, as JOSE requires in RFC 7515 §2).
///
/// Decoding is strict on purpose: padding, whitespace, characters outside the URL-safe
/// alphabet and non-canonical encodings (non-zero unused trailing bits) are refused, so one
/// byte string has exactly one accepted text form. That property is what lets a flipped
/// character in a token or bundle always be detected instead of silently decoding to the same
/// bytes.
public enum Base64URL {
  private static let alphabet: [UInt8] = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

  private static let reverse: [UInt8] = {
    var table = [UInt8](repeating: 0xFF, count: 256)
    for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
    return table
  }()

  /// Encodes bytes as unpadded base64url text.
  public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let input = Array(bytes)
    var output = [UInt8]()
    output.reserveCapacity((input.count * 4 + 2) / 3)
    var index = 0
    while index + 3 <= input.count {
      let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
      output.append(alphabet[Int((value >> 18) & 63)])
      output.append(alphabet[Int((value >> 12) & 63)])
      output.append(alphabet[Int((value >> 6) & 63)])
      output.append(alphabet[Int(value & 63)])
      index += 3
    }
    let remaining = input.count - index
    if remaining == 1 {
      let value = UInt32(input[index]) << 16
      output.append(alphabet[Int((value >> 18) & 63)])
      output.append(alphabet[Int((value >> 12) & 63)])
    } else if remaining == 2 {
      let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
      output.append(alphabet[Int((value >> 18) & 63)])
      output.append(alphabet[Int((value >> 12) & 63)])
      output.append(alphabet[Int((value >> 6) & 63)])
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// Decodes unpadded base64url text.
  ///
  /// - Throws: ``Base64URLError`` naming the offending position when the text is not the
  ///   canonical unpadded base64url form of some byte string.
  public static func decode<Text: StringProtocol>(_ text: Text) throws(Base64URLError) -> Data {
    let input = Array(text.utf8)
    if input.count % 4 == 1 { throw .invalidLength(input.count) }
    var output = Data()
    output.reserveCapacity(input.count * 3 / 4)
    var accumulator: UInt32 = 0
    var bits = 0
    for (position, character) in input.enumerated() {
      let value = reverse[Int(character)]
      if value == 0xFF {
        if character == UInt8(ascii: "=") { throw .paddingNotAllowed(position: position) }
        throw .invalidCharacter(position: position)
      }
      accumulator = (accumulator << 6) | UInt32(value)
      bits += 6
      if bits >= 8 {
        bits -= 8
        output.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
        accumulator &= (UInt32(1) << UInt32(bits)) - 1
      }
    }
    if accumulator != 0 { throw .nonCanonical }
    return output
  }
}
