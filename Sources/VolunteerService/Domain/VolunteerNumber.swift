import Foundation

/// The service's own public identifier of a volunteer: "V" followed by a 9-digit sequence
/// number and an ISO 7064 MOD 11,10 check digit, e.g. `V0000000014` for the first.
///
/// The national ID number is never the public identifier; the check digit lets a typo be
/// refused as malformed instead of reported as "not found".
public struct VolunteerNumber: Sendable, Hashable, CustomStringConvertible {
  public let value: String

  /// The number for the `sequence`-th registration (1-based, below one billion).
  public init(sequence: Int) {
    let digits = String(sequence)
    let padded = String(repeating: "0", count: max(0, 9 - digits.count)) + digits
    self.value = "V" + padded + String(Self.checkDigit(for: padded.utf8.map { Int($0 - 48) }))
  }

  /// Parses and checks a number given by a caller.
  public init(validating raw: String) throws(IdentityValidationError) {
    let text = raw.trimmingCharacters(in: .whitespaces).uppercased()
    let utf8 = Array(text.utf8)
    guard utf8.count == 11, utf8[0] == UInt8(ascii: "V"),
      utf8.dropFirst().allSatisfy({ (0x30...0x39).contains($0) })
    else {
      throw IdentityValidationError(
        field: "volunteer_number",
        reason: "expected \"V\" followed by 10 digits (e.g. V0000000014), got \"\(raw)\"")
    }
    let digits = utf8.dropFirst().map { Int($0 - 48) }
    guard Self.checkDigit(for: Array(digits.prefix(9))) == digits[9] else {
      throw IdentityValidationError(
        field: "volunteer_number", reason: "\(text) has a wrong check digit; is there a typo?")
    }
    self.value = text
  }

  public var description: String { self.value }

  /// ISO 7064 MOD 11,10 over decimal digits.
  static func checkDigit(for digits: [Int]) -> Int {
    var product = 10
    for digit in digits {
      var sum = (product + digit) % 10
      if sum == 0 { sum = 10 }
      product = (sum * 2) % 11
    }
    return (11 - product) % 10
  }
}
