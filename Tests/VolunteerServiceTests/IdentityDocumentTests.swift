import Foundation
import Testing

@testable import VolunteerService

/// Builds resident ID numbers with a correct check character, computed here independently of
/// the code under test.
enum ResidentIDFixture {
  static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  static let checkCharacters = Array("10X98765432")

  /// The 17-character body plus its GB 11643-1999 check character.
  static func make(region: String, birth: String, sequence: String) -> String {
    let body = region + birth + sequence
    var sum = 0
    for (character, weight) in zip(body, weights) {
      sum += (character.wholeNumberValue ?? 0) * weight
    }
    return body + String(checkCharacters[sum % 11])
  }
}

/// A fixed "today" so tests do not depend on the clock.
let fixedToday = CalendarDate(year: 2026, month: 5, day: 1)

func date(_ iso: String) throws -> CalendarDate {
  try #require(CalendarDate(iso8601: iso))
}

func today() throws -> CalendarDate {
  try #require(fixedToday)
}

/// Runs validation and returns the error, or records an issue if validation succeeded.
func validationError(
  _ type: DocumentType, _ number: String, birthDate: CalendarDate? = nil, sex: Sex? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) throws -> IdentityValidationError? {
  let now = try today()
  do {
    let document = try IdentityDocument.validated(
      type: type, number: number, birthDate: birthDate, sex: sex, today: now)
    Issue.record(
      "expected \(number) to be refused, got \(document)", sourceLocation: sourceLocation)
    return nil
  } catch {
    return error
  }
}

@Suite("Resident ID (GB 11643-1999)")
struct ResidentIDTests {
  @Test("DOMAIN vector 11010519491231002X is valid, female, born 1949-12-31")
  func domainValidVector() throws {
    let document = try IdentityDocument.validated(
      type: .residentID, number: "11010519491231002X", birthDate: nil, sex: nil, today: today())
    #expect(document.type == .residentID)
    #expect(document.number == "11010519491231002X")
    #expect(document.sex == .female)
    #expect(document.birthDate == (try date("1949-12-31")))
  }

  @Test("DOMAIN vector 340524198001010013 fails the check character")
  func domainInvalidVector() throws {
    let error = try #require(try validationError(.residentID, "340524198001010013"))
    #expect(error.field == "document_number")
    #expect(error.reason.hasPrefix("check character is 3, expected X"))
    #expect(error.description.hasPrefix("document_number: check character is 3, expected X"))
  }

  @Test(
    "Generated valid IDs validate with derived birth date and sex",
    arguments: [
      ("110105", "19900101", "123", Sex.male),
      ("440305", "20000229", "456", Sex.female),
      ("650102", "19000101", "001", Sex.male),
      ("820000", "20260501", "998", Sex.female),
      ("310101", "19751231", "010", Sex.female),  // only the 17th digit decides
      ("119999", "19881008", "777", Sex.male),  // unknown but well-formed region code
      ("910000", "20120615", "002", Sex.female),
    ])
  func generatedIDs(region: String, birth: String, sequence: String, sex: Sex) throws {
    let number = ResidentIDFixture.make(region: region, birth: birth, sequence: sequence)
    let document = try IdentityDocument.validated(
      type: .residentID, number: number, birthDate: nil, sex: nil, today: today())
    let expectedBirth = try #require(
      CalendarDate(
        year: Int(birth.prefix(4)) ?? 0,
        month: Int(birth.dropFirst(4).prefix(2)) ?? 0,
        day: Int(birth.suffix(2)) ?? 0))
    #expect(document.number == number)
    #expect(document.birthDate == expectedBirth)
    #expect(document.sex == sex)

    // Supplying the same values explicitly is accepted.
    let again = try IdentityDocument.validated(
      type: .residentID, number: number, birthDate: expectedBirth, sex: sex, today: today())
    #expect(again == document)
  }

  @Test("Every sequence 000-999 validates and every check character occurs")
  func allSequences() throws {
    var seen: Set<Character> = []
    for sequence in 0...999 {
      let padded = String(repeating: "0", count: 3 - String(sequence).count) + String(sequence)
      let number = ResidentIDFixture.make(region: "330106", birth: "19851117", sequence: padded)
      let document = try IdentityDocument.validated(
        type: .residentID, number: number, birthDate: nil, sex: nil, today: today())
      #expect(document.sex == (sequence % 2 == 1 ? .male : .female))
      if let last = number.last { seen.insert(last) }
    }
    #expect(seen == Set("0123456789X"))
  }

  @Test("Any other check character is refused and the expected one is named")
  func everyWrongCheckCharacter() throws {
    let valid = ResidentIDFixture.make(region: "370202", birth: "19670704", sequence: "315")
    let expected = try #require(valid.last)
    for wrong in "0123456789X" where wrong != expected {
      let number = String(valid.dropLast()) + String(wrong)
      let error = try #require(try validationError(.residentID, number))
      #expect(error.field == "document_number")
      #expect(error.reason.hasPrefix("check character is \(wrong), expected \(expected)"))
    }
  }

  @Test("Lower-case x and surrounding whitespace are normalised")
  func lowerCaseX() throws {
    for raw in ["11010519491231002x", "  11010519491231002x\n", "\t11010519491231002X "] {
      let document = try IdentityDocument.validated(
        type: .residentID, number: raw, birthDate: nil, sex: nil, today: today())
      #expect(document.number == "11010519491231002X")
    }
  }

  @Test(
    "Wrong length is refused",
    arguments: ["", "   ", "11010519491231002", "11010519491231002X1", "1101051949123100 2X"])
  func wrongLength(number: String) throws {
    let error = try #require(try validationError(.residentID, number))
    #expect(error.field == "document_number")
    #expect(error.reason.contains("18 characters"))
  }

  @Test(
    "A non-digit among the first 17 characters is refused with its position",
    arguments: [
      ("11010519491231O02X", 15),  // letter O for zero
      ("1101051949123100X2", 17),  // X only allowed last
      ("110105 949123100 X", 7),  // inner space
      ("11010519491231\u{FF10}02X", 15),  // full-width zero
      ("x1010519491231002X", 1),  // lower-case x (normalised to X) in first place
    ])
  func badCharacter(number: String, position: Int) throws {
    let error = try #require(try validationError(.residentID, number))
    #expect(error.field == "document_number")
    #expect(error.reason.hasPrefix("character \(position) is "))
  }

  @Test("A check character other than a digit or X is refused")
  func badCheckCharacterSymbol() throws {
    let error = try #require(try validationError(.residentID, "11010519491231002A"))
    #expect(error.field == "document_number")
    #expect(error.reason.contains("character 18"))
    #expect(error.reason.contains("digit or X"))
  }

  @Test("A birth date after today is refused; today itself is accepted")
  func futureBirthDate() throws {
    let tomorrow = ResidentIDFixture.make(region: "110105", birth: "20260502", sequence: "001")
    let error = try #require(try validationError(.residentID, tomorrow))
    #expect(error.field == "document_number")
    #expect(error.reason.contains("after today"))

    let bornToday = ResidentIDFixture.make(region: "110105", birth: "20260501", sequence: "001")
    let document = try IdentityDocument.validated(
      type: .residentID, number: bornToday, birthDate: nil, sex: nil, today: today())
    #expect(document.birthDate == (try today()))
  }

  @Test(
    "An impossible birth date is refused",
    arguments: ["19800230", "19000229", "20230229", "19801301", "19800000", "19800431"])
  func impossibleBirthDate(birth: String) throws {
    let number = ResidentIDFixture.make(region: "110105", birth: birth, sequence: "001")
    let error = try #require(try validationError(.residentID, number))
    #expect(error.field == "document_number")
    #expect(error.reason.contains("not a real date"))
  }

  @Test("A birth date before 1900 is refused")
  func birthBefore1900() throws {
    let number = ResidentIDFixture.make(region: "110105", birth: "18991231", sequence: "001")
    let error = try #require(try validationError(.residentID, number))
    #expect(error.field == "document_number")
    #expect(error.reason.contains("before 1900-01-01"))
  }

  @Test(
    "A region code with no province-level prefix is refused",
    arguments: [
      "000000", "100000", "160101", "200000", "240101", "380101", "470101", "550101",
      "660101", "700000", "720000", "800000", "830000", "900000", "920000", "990101",
    ])
  func malformedRegion(region: String) throws {
    let number = ResidentIDFixture.make(region: region, birth: "19900101", sequence: "001")
    let error = try #require(try validationError(.residentID, number))
    #expect(error.field == "document_number")
    #expect(error.reason.contains("region code"))
    #expect(
      error.reason.hasSuffix("11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82 or 91"))
  }

  @Test(
    "Every province-level prefix is accepted",
    arguments: [
      11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45,
      46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 91,
    ])
  func provincePrefixes(prefix: Int) throws {
    let number = ResidentIDFixture.make(region: "\(prefix)0102", birth: "19900101", sequence: "001")
    let document = try IdentityDocument.validated(
      type: .residentID, number: number, birthDate: nil, sex: nil, today: today())
    #expect(document.number.hasPrefix(String(prefix)))
  }

  @Test("A sex contradicting the number is refused on the sex field")
  func contradictingSex() throws {
    let error = try #require(try validationError(.residentID, "11010519491231002X", sex: .male))
    #expect(error.field == "sex")
    #expect(error.reason.contains("female"))

    let male = ResidentIDFixture.make(region: "110105", birth: "19900101", sequence: "001")
    let other = try #require(try validationError(.residentID, male, sex: .female))
    #expect(other.field == "sex")
  }

  @Test("A birth date contradicting the number is refused on the birth_date field")
  func contradictingBirthDate() throws {
    let error = try #require(
      try validationError(.residentID, "11010519491231002X", birthDate: try date("1949-12-30")))
    #expect(error.field == "birth_date")
    #expect(error.reason.contains("1949-12-31"))
    #expect(error.reason.contains("1949-12-30"))
  }

  @Test("The number itself is checked before contradictions")
  func numberErrorsComeFirst() throws {
    let error = try #require(
      try validationError(
        .residentID, "340524198001010013", birthDate: try date("2000-01-01"), sex: .female))
    #expect(error.field == "document_number")
  }

  @Test("Error reasons never repeat the whole number")
  func reasonsDoNotLeakTheNumber() throws {
    let number = ResidentIDFixture.make(region: "110105", birth: "19900101", sequence: "001")
    let wrongCheck = String(number.dropLast()) + (number.last == "0" ? "1" : "0")
    for (candidate, sex) in [(wrongCheck, Sex?.none), (number, Sex.female)] {
      let error = try #require(try validationError(.residentID, candidate, sex: sex))
      #expect(!error.description.contains(candidate))
      #expect(!error.description.contains(String(candidate.prefix(17))))
    }
  }
}

@Suite("Other identity documents")
struct OtherDocumentTests {
  @Test(
    "Well-formed numbers are accepted and normalised",
    arguments: [
      (DocumentType.passport, "E12345678", "E12345678"),
      (.passport, " e1234 5678 ", "E12345678"),
      (.passport, "AB123", "AB123"),
      (.passport, "ABCDEFGH123456789", "ABCDEFGH123456789"),
      (.hongKongMacaoPermit, "H12345678", "H12345678"),
      (.hongKongMacaoPermit, "m 1234 5678 90", "M1234567890"),
      (.taiwanPermit, "12345678", "12345678"),
      (.taiwanPermit, "1234 5678", "12345678"),
      (.foreignPermanentResidence, "usa123456789012", "USA123456789012"),
      (.foreignPermanentResidence, "911111111111111111", "911111111111111111"),
    ])
  func valid(type: DocumentType, raw: String, normalised: String) throws {
    let birth = try date("1995-06-15")
    let document = try IdentityDocument.validated(
      type: type, number: raw, birthDate: birth, sex: .female, today: today())
    #expect(document.type == type)
    #expect(document.number == normalised)
    #expect(document.birthDate == birth)
    #expect(document.sex == .female)
  }

  @Test(
    "Malformed numbers are refused on document_number with the expected form",
    arguments: [
      (DocumentType.passport, "AB12", "has 4 characters"),
      (.passport, "ABCDEFGH1234567890", "has 18 characters"),
      (.passport, "E1234-5678", "character 6 is \"-\""),
      (.passport, "", "is required"),
      (.hongKongMacaoPermit, "X12345678", "starts with \"X\""),
      (.hongKongMacaoPermit, "H1234567", "has 7 digits"),
      (.hongKongMacaoPermit, "H123456789", "has 9 digits"),
      (.hongKongMacaoPermit, "H12345678A", "character 10 is \"A\""),
      (.hongKongMacaoPermit, "H", "has 0 digits"),
      (.taiwanPermit, "1234567", "has 7 digits"),
      (.taiwanPermit, "123456789", "has 9 digits"),
      (.taiwanPermit, "1234567A", "character 8 is \"A\""),
      (.foreignPermanentResidence, "US1234567890123", "character 3 is \"1\""),
      (.foreignPermanentResidence, "USA12345678901A", "character 15 is \"A\""),
      (.foreignPermanentResidence, "USA12345678901", "has 14 characters"),
      (.foreignPermanentResidence, "811111111111111111", "starts with \"8\""),
      (.foreignPermanentResidence, "91111111111111111X", "character 18 is \"X\""),
    ])
  func malformed(type: DocumentType, raw: String, expectedReason: String) throws {
    let error = try #require(
      try validationError(type, raw, birthDate: try date("1995-06-15"), sex: .male))
    #expect(error.field == "document_number")
    #expect(error.reason.contains(expectedReason))
    // Every reason states the expected form after the problem.
    #expect(error.reason.contains(" is ") && error.reason.contains("; a "))
  }

  @Test(
    "Birth date and sex are required", arguments: DocumentType.allCases.filter { $0 != .residentID }
  )
  func requiredFields(type: DocumentType) throws {
    let number =
      switch type {
      case .hongKongMacaoPermit: "H12345678"
      case .taiwanPermit: "12345678"
      case .foreignPermanentResidence: "USA123456789012"
      default: "E12345678"
      }
    let noBirth = try #require(try validationError(type, number, sex: .male))
    #expect(noBirth.field == "birth_date")
    #expect(noBirth.reason.contains("required"))

    let noSex = try #require(try validationError(type, number, birthDate: try date("1990-01-01")))
    #expect(noSex.field == "sex")

    let future = try #require(
      try validationError(type, number, birthDate: try date("2026-05-02"), sex: .male))
    #expect(future.field == "birth_date")
    #expect(future.reason.contains("after today"))

    let bornToday = try IdentityDocument.validated(
      type: type, number: number, birthDate: try today(), sex: .male, today: try today())
    #expect(bornToday.birthDate == (try today()))
  }

  @Test("A malformed number is reported before a missing birth date")
  func numberBeforeBirthDate() throws {
    let error = try #require(try validationError(.passport, "AB", birthDate: nil, sex: nil))
    #expect(error.field == "document_number")
  }
}

@Suite("Mainland mobile numbers")
struct MobilePhoneNumberTests {
  @Test(
    "Accepted forms normalise to 11 digits",
    arguments: [
      ("13800138000", "13800138000"),
      ("+8613800138000", "13800138000"),
      ("+86 138 0013 8000", "13800138000"),
      ("86 138-0013-8000", "13800138000"),
      ("8613800138000", "13800138000"),
      ("008613800138000", "13800138000"),
      ("0086 138 0013 8000", "13800138000"),
      ("  19912345678 ", "19912345678"),
      ("138-0013-8000", "13800138000"),
      ("+86-150-1234-5678", "15012345678"),
    ])
  func accepted(raw: String, expected: String) throws {
    #expect(try MobilePhoneNumber.normalized(raw) == expected)
  }

  @Test(
    "Refused forms name the phone field",
    arguments: [
      "", "1380013800", "138001380001", "12800138000", "10800138000", "23800138000",
      "+1 4155552671", "+85 13800138000", "138 0013 800a", "-13800138000", "13800138000-",
      "+ 8613800138000", "\u{FF11}3800138000", "(138)00138000", "860013800138000",
      "0086 12800138000", "138.0013.8000",
    ])
  func refused(raw: String) throws {
    do {
      let value = try MobilePhoneNumber.normalized(raw)
      Issue.record("expected \(raw) to be refused, got \(value)")
    } catch {
      #expect(error.field == "phone")
      #expect(error.reason.contains("expected a mainland mobile number"))
      let digits = raw.filter { $0.isASCII && $0.isNumber }
      if digits.count >= 8 { #expect(!error.reason.contains(digits)) }
    }
  }
}

@Suite("Guardian consent")
struct GuardianConsentRequirementTests {
  @Test(
    "Age boundaries",
    arguments: [
      (-1, GuardianConsentRequirement.required), (0, .required), (13, .required),
      (14, .recorded), (17, .recorded), (18, .notNeeded), (90, .notNeeded),
    ])
  func boundaries(age: Int, expected: GuardianConsentRequirement) {
    #expect(GuardianConsentRequirement.forAge(age) == expected)
  }

  @Test("Consent follows the age computed from the document on the record's day")
  func fromDocument() throws {
    // 14th birthday on 2026-05-01.
    let number = ResidentIDFixture.make(region: "110105", birth: "20120501", sequence: "002")
    let document = try IdentityDocument.validated(
      type: .residentID, number: number, birthDate: nil, sex: nil, today: today())
    #expect(GuardianConsentRequirement.forAge(document.birthDate.age(on: try today())) == .recorded)
    #expect(
      GuardianConsentRequirement.forAge(document.birthDate.age(on: try date("2026-04-30")))
        == .required)
  }
}
