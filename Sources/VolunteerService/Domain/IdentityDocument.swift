import Foundation

/// A volunteer's sex as recorded on, or encoded in, their identity document.
public enum Sex: String, Sendable, Codable, CaseIterable {
  /// Male (an odd sequence digit on a resident ID).
  case male
  /// Female (an even sequence digit on a resident ID).
  case female
}

/// The kinds of identity document a volunteer can register with; the raw values are the
/// stable spellings used in storage and exports.
public enum DocumentType: String, Sendable, Codable, CaseIterable {
  /// Mainland resident identity card, GB 11643-1999 (18 characters).
  case residentID = "resident-id"
  /// A passport of any country.
  case passport
  /// Mainland travel permit for Hong Kong and Macao residents.
  case hongKongMacaoPermit = "hk-macao-permit"
  /// Mainland travel permit for Taiwan residents.
  case taiwanPermit = "taiwan-permit"
  /// Foreigner's permanent residence identity card.
  case foreignPermanentResidence = "foreign-permanent-residence"
}

/// Why an identity document, phone number or related input was refused.
///
/// `field` is the protobuf request field at fault (`document_number`, `birth_date`, `sex`,
/// `phone`, `real_name`) so the RPC layer can report INVALID_ARGUMENT against it; `reason` tells
/// a partner's developer what is wrong and what form is expected. Reasons never repeat a whole
/// document or phone number, because those are sensitive personal information.
public struct IdentityValidationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The protobuf request field name at fault, e.g. `document_number`.
  public var field: String
  /// What is wrong with the field and the expected form.
  public var reason: String

  /// Creates an error against a request field.
  public init(field: String, reason: String) {
    self.field = field
    self.reason = reason
  }

  /// `field: reason`, e.g. `document_number: check character is 3, expected X`.
  public var description: String { "\(field): \(reason)" }
}

/// A validated identity document: the document type, its normalised number, and the holder's
/// birth date and sex (derived from the number for a resident ID, given explicitly otherwise).
///
/// Values only come out of ``validated(type:number:birthDate:sex:today:)``, so holding one means
/// the document passed every format rule.
public struct IdentityDocument: Hashable, Sendable {
  /// The kind of document.
  public let type: DocumentType
  /// The normalised document number (trimmed, upper-case; no inner spaces for non-resident IDs).
  public let number: String
  /// The holder's birth date.
  public let birthDate: CalendarDate
  /// The holder's sex.
  public let sex: Sex

  private init(type: DocumentType, number: String, birthDate: CalendarDate, sex: Sex) {
    self.type = type
    self.number = number
    self.birthDate = birthDate
    self.sex = sex
  }

  /// Checks and normalises a document as received from a partner.
  ///
  /// For a resident ID the number is checked against GB 11643-1999 and the birth date and sex
  /// are derived from it; `birthDate` and `sex` may be given and must then agree with the number.
  /// For other documents `birthDate` and `sex` are required. A birth date may not be after
  /// `today` (the current day in the record's time zone).
  ///
  /// - Throws: ``IdentityValidationError`` naming `document_number`, `birth_date` or `sex`.
  public static func validated(
    type: DocumentType,
    number: String,
    birthDate: CalendarDate?,
    sex: Sex?,
    today: CalendarDate
  ) throws(IdentityValidationError) -> IdentityDocument {
    switch type {
    case .residentID:
      return try validatedResidentID(number, birthDate: birthDate, sex: sex, today: today)
    case .passport, .hongKongMacaoPermit, .taiwanPermit, .foreignPermanentResidence:
      return try validatedOtherDocument(
        type: type, number, birthDate: birthDate, sex: sex, today: today)
    }
  }

  // MARK: - Resident ID (GB 11643-1999)

  /// Weights applied to the first 17 digits of a resident ID.
  static let residentIDWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  /// Check characters indexed by the weighted sum modulo 11.
  static let residentIDCheckCharacters: [Character] = Array("10X98765432")
  /// Province-level prefixes of GB/T 2260 region codes (plus 71 Taiwan, 81/82 Hong Kong/Macao,
  /// 91 abroad). Only the prefix is checked: county codes change over the years.
  static let provincePrefixes: Set<Int> = Set(
    Array(11...15) + Array(21...23) + Array(31...37) + Array(41...46) + Array(50...54)
      + Array(61...65) + [71, 81, 82, 91])
  private static let provincePrefixList =
    "11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82 or 91"
  private static let residentIDForm =
    "a resident ID is 18 characters: 6-digit region code, 8-digit birth date YYYYMMDD, "
    + "3-digit sequence and a check character (digit or X)"

  /// The check character for the first 17 digits of a resident ID (digit values 0...9).
  static func residentIDCheckCharacter(for digits: some Sequence<Int>) -> Character {
    var sum = 0
    for (digit, weight) in zip(digits, residentIDWeights) { sum += digit * weight }
    return residentIDCheckCharacters[sum % 11]
  }

  private static func validatedResidentID(
    _ raw: String, birthDate givenBirthDate: CalendarDate?, sex givenSex: Sex?,
    today: CalendarDate
  ) throws(IdentityValidationError) -> IdentityDocument {
    let field = Field.documentNumber
    let number = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      .replacingOccurrences(of: "x", with: "X")
    let characters = Array(number)
    guard !characters.isEmpty else {
      throw IdentityValidationError(field: field, reason: "is required; \(residentIDForm)")
    }
    guard characters.count == 18 else {
      throw IdentityValidationError(
        field: field, reason: "has \(characters.count) characters; \(residentIDForm)")
    }
    var digits: [Int] = []
    for (offset, character) in characters.prefix(17).enumerated() {
      guard let digit = asciiDigit(character) else {
        throw IdentityValidationError(
          field: field,
          reason: "character \(offset + 1) is \(quoted(character)), expected a digit; "
            + "the first 17 characters of a resident ID are digits")
      }
      digits.append(digit)
    }
    let check = characters[17]
    guard asciiDigit(check) != nil || check == "X" else {
      throw IdentityValidationError(
        field: field,
        reason: "check character (character 18) is \(quoted(check)), expected a digit or X")
    }

    let prefix = digits[0] * 10 + digits[1]
    guard provincePrefixes.contains(prefix) else {
      throw IdentityValidationError(
        field: field,
        reason: "region code (characters 1–6) starts with \(digits[0])\(digits[1]), "
          + "which is not a province-level code; expected \(provincePrefixList)")
    }

    let year = decimalValue(of: digits[6..<10])
    let month = decimalValue(of: digits[10..<12])
    let day = decimalValue(of: digits[12..<14])
    let encodedDate = String(characters[6..<14])
    guard year >= 1900 else {
      throw IdentityValidationError(
        field: field,
        reason: "birth date (characters 7–14) is \(encodedDate), before 1900-01-01")
    }
    guard let derivedBirthDate = CalendarDate(year: year, month: month, day: day) else {
      throw IdentityValidationError(
        field: field,
        reason: "birth date (characters 7–14) is \(encodedDate), which is not a real date; "
          + "expected YYYYMMDD")
    }
    guard derivedBirthDate <= today else {
      throw IdentityValidationError(
        field: field,
        reason: "birth date (characters 7–14) is \(derivedBirthDate), which is after today "
          + "(\(today))")
    }

    let expectedCheck = residentIDCheckCharacter(for: digits)
    guard check == expectedCheck else {
      throw IdentityValidationError(
        field: field,
        reason: "check character is \(check), expected \(expectedCheck) "
          + "(GB 11643-1999 checksum over the first 17 digits); the number is probably mistyped")
    }

    let derivedSex: Sex = digits[16] % 2 == 1 ? .male : .female
    if let givenBirthDate, givenBirthDate != derivedBirthDate {
      throw IdentityValidationError(
        field: Field.birthDate,
        reason: "is \(givenBirthDate) but the resident ID number encodes \(derivedBirthDate); "
          + "omit birth_date or send the date in the number")
    }
    if let givenSex, givenSex != derivedSex {
      throw IdentityValidationError(
        field: Field.sex,
        reason: "is \(givenSex.rawValue) but the resident ID number encodes "
          + "\(derivedSex.rawValue) (17th digit \(digits[16]): odd is male, even is female); "
          + "omit sex or send the one in the number")
    }
    return IdentityDocument(
      type: .residentID, number: number, birthDate: derivedBirthDate, sex: derivedSex)
  }

  // MARK: - Other documents

  private static func validatedOtherDocument(
    type: DocumentType, _ raw: String, birthDate: CalendarDate?, sex: Sex?, today: CalendarDate
  ) throws(IdentityValidationError) -> IdentityDocument {
    let number = String(
      raw.filter { !$0.isWhitespace }.map { asciiUppercased($0) })
    let characters = Array(number)
    let form = expectedForm(of: type)
    guard !characters.isEmpty else {
      throw IdentityValidationError(field: Field.documentNumber, reason: "is required; \(form)")
    }
    if let problem = formatProblem(characters, type: type) {
      throw IdentityValidationError(field: Field.documentNumber, reason: "\(problem); \(form)")
    }
    guard let birthDate else {
      throw IdentityValidationError(
        field: Field.birthDate,
        reason: "is required for \(article(of: type)); only a resident ID encodes the birth date")
    }
    guard birthDate <= today else {
      throw IdentityValidationError(
        field: Field.birthDate, reason: "is \(birthDate), which is after today (\(today))")
    }
    guard let sex else {
      throw IdentityValidationError(
        field: Field.sex,
        reason: "is required for \(article(of: type)); only a resident ID encodes the sex")
    }
    return IdentityDocument(type: type, number: number, birthDate: birthDate, sex: sex)
  }

  /// What is wrong with a normalised, non-empty non-resident-ID number, or `nil` if it is
  /// well-formed.
  private static func formatProblem(_ characters: [Character], type: DocumentType) -> String? {
    switch type {
    case .residentID:
      return nil
    case .passport:
      if let problem = firstCharacter(in: characters, notMatching: isASCIILetterOrDigit) {
        return "\(problem), expected a letter A–Z or a digit"
      }
      guard (5...17).contains(characters.count) else {
        return "has \(characters.count) characters"
      }
      return nil
    case .hongKongMacaoPermit:
      guard let first = characters.first else { return "is empty" }
      guard first == "H" || first == "M" else {
        return "starts with \(quoted(first)), expected H (Hong Kong) or M (Macao)"
      }
      if let problem = firstCharacter(
        in: characters, from: 1, notMatching: { asciiDigit($0) != nil })
      {
        return "\(problem), expected a digit after the leading \(first)"
      }
      guard characters.count == 9 || characters.count == 11 else {
        return "has \(characters.count - 1) digits after the leading \(first)"
      }
      return nil
    case .taiwanPermit:
      if let problem = firstCharacter(in: characters, notMatching: { asciiDigit($0) != nil }) {
        return "\(problem), expected a digit"
      }
      guard characters.count == 8 else { return "has \(characters.count) digits" }
      return nil
    case .foreignPermanentResidence:
      switch characters.count {
      case 15:
        if let problem = firstCharacter(
          in: Array(characters.prefix(3)), notMatching: isASCIILetter)
        {
          return "\(problem), expected a letter (old form starts with 3 letters)"
        }
        if let problem = firstCharacter(
          in: characters, from: 3, notMatching: { asciiDigit($0) != nil })
        {
          return "\(problem), expected a digit (old form ends with 12 digits)"
        }
        return nil
      case 18:
        if let first = characters.first, first != "9" {
          return "starts with \(quoted(first)), expected 9 (new form)"
        }
        if let problem = firstCharacter(in: characters, notMatching: { asciiDigit($0) != nil }) {
          return "\(problem), expected a digit (new form is all digits)"
        }
        return nil
      default:
        return "has \(characters.count) characters"
      }
    }
  }

  /// The expected form of a document number, quoted in every format error.
  private static func expectedForm(of type: DocumentType) -> String {
    switch type {
    case .residentID:
      return residentIDForm
    case .passport:
      return "a passport number is 5 to 17 letters and digits (spaces are ignored)"
    case .hongKongMacaoPermit:
      return "a Hong Kong/Macao permit number is H or M followed by 8 or 10 digits, "
        + "e.g. H12345678"
    case .taiwanPermit:
      return "a Taiwan permit number is 8 digits, e.g. 12345678"
    case .foreignPermanentResidence:
      return "a foreign permanent residence card number is either 3 letters and 12 digits "
        + "(old form, 15 characters, e.g. ABC123456789012) or 18 digits starting with 9 "
        + "(new form)"
    }
  }

  /// The document type in running text, for "required for …" messages.
  private static func article(of type: DocumentType) -> String {
    switch type {
    case .residentID: return "a resident ID"
    case .passport: return "a passport"
    case .hongKongMacaoPermit: return "a Hong Kong/Macao permit"
    case .taiwanPermit: return "a Taiwan permit"
    case .foreignPermanentResidence: return "a foreign permanent residence card"
    }
  }

  // MARK: - Character helpers

  /// The request field names used in errors.
  enum Field {
    static let documentNumber = "document_number"
    static let birthDate = "birth_date"
    static let sex = "sex"
    static let phone = "phone"
    static let realName = "real_name"
  }

  /// The value of an ASCII digit, or `nil` for anything else (including full-width digits).
  static func asciiDigit(_ character: Character) -> Int? {
    guard let ascii = character.asciiValue, ascii >= 48, ascii <= 57 else { return nil }
    return Int(ascii - 48)
  }

  private static func isASCIILetter(_ character: Character) -> Bool {
    guard let ascii = character.asciiValue else { return false }
    return (65...90).contains(ascii) || (97...122).contains(ascii)
  }

  private static func isASCIILetterOrDigit(_ character: Character) -> Bool {
    isASCIILetter(character) || asciiDigit(character) != nil
  }

  private static func asciiUppercased(_ character: Character) -> Character {
    guard let ascii = character.asciiValue, (97...122).contains(ascii) else { return character }
    return Character(Unicode.Scalar(ascii - 32))
  }

  /// "character N is 'c'" for the first character at or after `start` failing `predicate`.
  private static func firstCharacter(
    in characters: [Character], from start: Int = 0, notMatching predicate: (Character) -> Bool
  ) -> String? {
    guard start < characters.count else { return nil }
    for index in start..<characters.count where !predicate(characters[index]) {
      return "character \(index + 1) is \(quoted(characters[index]))"
    }
    return nil
  }

  /// A character in double quotes with anything outside printable ASCII escaped, so full-width
  /// digits and invisible characters show up in error messages.
  static func quoted(_ character: Character) -> String {
    var text = ""
    for scalar in character.unicodeScalars {
      text += scalar.escaped(asASCII: true)
    }
    return "\"\(text)\""
  }

  /// The number spelled by a run of digit values, most significant first.
  private static func decimalValue(of digits: ArraySlice<Int>) -> Int {
    digits.reduce(0) { $0 * 10 + $1 }
  }
}
