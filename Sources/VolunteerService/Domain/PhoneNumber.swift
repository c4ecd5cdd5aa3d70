import Foundation

/// Mainland China mobile numbers as partners send them.
///
/// Partners type numbers in many ways (`+86 138-0013-8000`, `008613800138000`, …); the service
/// stores and compares one form, the bare 11 digits, so duplicates and masking behave the same
/// whatever the input looked like.
public enum MobilePhoneNumber {
  /// The expected form, quoted in every error.
  private static let expectedForm =
    "expected a mainland mobile number: 11 digits starting with 13–19, optionally prefixed "
    + "by +86, 86 or 0086, with spaces or hyphens allowed between digits"

  /// Returns the 11 digits of a mainland mobile number (`1[3-9]` followed by 9 digits).
  ///
  /// Accepts an optional `+86`, `86` or `0086` country prefix and spaces or hyphens between
  /// digits; surrounding whitespace is ignored.
  ///
  /// - Throws: ``IdentityValidationError`` with field `phone`. The reason never repeats the
  ///   number, which is personal information.
  public static func normalized(_ raw: String) throws(IdentityValidationError) -> String {
    let field = IdentityDocument.Field.phone
    let characters = Array(raw.trimmingCharacters(in: .whitespacesAndNewlines))
    guard !characters.isEmpty else {
      throw IdentityValidationError(field: field, reason: "is empty; \(expectedForm)")
    }

    var digits = ""
    var hasPlus = false
    // Whether the last character that was not a separator is a digit.
    var previousWasDigit = false
    for (offset, character) in characters.enumerated() {
      if IdentityDocument.asciiDigit(character) != nil {
        digits.append(character)
        previousWasDigit = true
      } else if character == "+" && offset == 0 {
        hasPlus = true
      } else if character == " " || character == "-" {
        let nextIsDigit =
          characters[(offset + 1)...].first { $0 != " " && $0 != "-" }
          .map { IdentityDocument.asciiDigit($0) != nil } ?? false
        guard previousWasDigit, nextIsDigit else {
          throw IdentityValidationError(
            field: field,
            reason: "has a separator at character \(offset + 1) that is not between digits; "
              + expectedForm)
        }
      } else {
        throw IdentityValidationError(
          field: field,
          reason: "character \(offset + 1) is \(IdentityDocument.quoted(character)); "
            + expectedForm)
      }
    }

    let national: Substring
    if hasPlus {
      guard digits.hasPrefix("86") else {
        throw IdentityValidationError(
          field: field, reason: "has a country code other than +86; \(expectedForm)")
      }
      national = digits.dropFirst(2)
    } else if digits.count == 15 && digits.hasPrefix("0086") {
      national = digits.dropFirst(4)
    } else if digits.count == 13 && digits.hasPrefix("86") {
      national = digits.dropFirst(2)
    } else {
      national = Substring(digits)
    }

    guard national.count == 11 else {
      throw IdentityValidationError(
        field: field, reason: "has \(national.count) digits after any prefix; \(expectedForm)")
    }
    let prefix = national.prefix(2)
    guard prefix.first == "1", let second = prefix.last, ("3"..."9").contains(second) else {
      throw IdentityValidationError(
        field: field, reason: "starts with \(prefix), not 13–19; \(expectedForm)")
    }
    return String(national)
  }
}
