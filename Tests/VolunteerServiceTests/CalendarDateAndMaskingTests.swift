import Foundation
import Testing

@testable import VolunteerService

@Suite("CalendarDate")
struct CalendarDateTests {
  @Test(
    "Real dates are accepted",
    arguments: [
      (1900, 1, 1), (9999, 12, 31), (2000, 2, 29), (2024, 2, 29), (2023, 2, 28), (2024, 4, 30),
      (2024, 12, 31), (1996, 2, 29),
    ])
  func realDates(year: Int, month: Int, day: Int) throws {
    let date = try #require(CalendarDate(year: year, month: month, day: day))
    #expect(date.year == year)
    #expect(date.month == month)
    #expect(date.day == day)
  }

  @Test(
    "Impossible or out-of-range dates are refused",
    arguments: [
      (1900, 2, 29), (2100, 2, 29), (2023, 2, 29), (2024, 2, 30), (2024, 4, 31), (2024, 6, 31),
      (2024, 13, 1), (2024, 0, 10), (2024, 1, 0), (2024, 1, 32), (1899, 12, 31), (10000, 1, 1),
      (2024, -1, 1),
    ])
  func impossibleDates(year: Int, month: Int, day: Int) {
    #expect(CalendarDate(year: year, month: month, day: day) == nil)
  }

  @Test("ISO 8601 round trip with zero padding")
  func isoRoundTrip() throws {
    let date = try #require(CalendarDate(year: 1905, month: 3, day: 7))
    #expect(date.iso8601 == "1905-03-07")
    #expect(date.description == "1905-03-07")
    #expect(CalendarDate(iso8601: "1905-03-07") == date)
    #expect("\(date)" == "1905-03-07")
  }

  @Test(
    "Only exactly YYYY-MM-DD parses",
    arguments: [
      "", "2024-2-29", "2024-02-9", "24-02-29", "2024-02-29T00:00:00Z", " 2024-02-29",
      "2024-02-29 ", "2024/02/29", "20240229", "+024-02-29", "2024-02-30", "2023-02-29",
      "1899-12-31", "2024-0a-01", "\u{FF12}024-02-29", "2024--2-29",
    ])
  func malformedISO(text: String) {
    #expect(CalendarDate(iso8601: text) == nil)
  }

  @Test("Ordering is chronological")
  func ordering() throws {
    let dates = try ["2024-02-29", "1999-12-31", "2024-03-01", "2024-02-28", "2000-01-01"].map {
      try date($0)
    }
    #expect(
      dates.sorted().map(\.iso8601) == [
        "1999-12-31", "2000-01-01", "2024-02-28", "2024-02-29", "2024-03-01",
      ])
    #expect(try date("2024-01-31") < date("2024-02-01"))
    #expect(!(try date("2024-02-01") < date("2024-02-01")))
  }

  @Test("Codable as the ISO string")
  func codable() throws {
    let value = [try date("2024-02-29")]
    let data = try JSONEncoder().encode(value)
    #expect(String(decoding: data, as: UTF8.self) == #"["2024-02-29"]"#)
    #expect(try JSONDecoder().decode([CalendarDate].self, from: data) == value)

    for bad in [#"["2023-02-29"]"#, #"["2024-2-29"]"#, #"[20240229]"#] {
      #expect(throws: DecodingError.self) {
        try JSONDecoder().decode([CalendarDate].self, from: Data(bad.utf8))
      }
    }
  }

  @Test(
    "Today depends on the record's time zone",
    arguments: [
      ("Asia/Shanghai", "2024-03-01"), ("UTC", "2024-02-29"),
      ("America/Los_Angeles", "2024-02-29"), ("Pacific/Kiritimati", "2024-03-01"),
    ])
  func todayInZone(zone: String, expected: String) throws {
    // 2024-02-29T16:30:00Z, i.e. 00:30 on 1 March in Beijing.
    let now = Date(timeIntervalSince1970: 1_709_224_200)
    let timeZone = try #require(TimeZone(identifier: zone))
    #expect(CalendarDate.today(in: timeZone, now: now) == (try date(expected)))
  }

  @Test("Today is clamped to the supported range")
  func todayClamped() throws {
    let utc = try #require(TimeZone(identifier: "UTC"))
    #expect(
      CalendarDate.today(in: utc, now: Date(timeIntervalSince1970: -3_000_000_000))
        == CalendarDate.earliest)
    #expect(CalendarDate.earliest == (try date("1900-01-01")))
    #expect(CalendarDate.latest == (try date("9999-12-31")))
  }

  @Test(
    "Age in completed years, leap-day birthdays included",
    arguments: [
      ("2000-02-29", "2001-02-28", 0), ("2000-02-29", "2001-03-01", 1),
      ("2000-02-29", "2004-02-28", 3), ("2000-02-29", "2004-02-29", 4),
      ("2000-02-29", "2018-02-28", 17), ("2000-02-29", "2018-03-01", 18),
      ("2010-05-01", "2024-04-30", 13), ("2010-05-01", "2024-05-01", 14),
      ("2010-05-01", "2010-05-01", 0), ("1949-12-31", "2026-05-01", 76),
      ("2010-05-01", "2010-04-30", -1),
    ])
  func age(birth: String, day: String, expected: Int) throws {
    #expect(try date(birth).age(on: date(day)) == expected)
  }
}

@Suite("Masking")
struct MaskingTests {
  @Test(
    "Identifiers show the first 3 and last 4 characters",
    arguments: [
      ("11010519491231002X", "110***********002X"),
      ("13800138000", "138****8000"),
      ("12345678", "123*5678"),
      ("1234567", "******7"),
      ("AB", "*B"),
      ("A", "*"),
      ("", ""),
      ("护照号码一二三四五", "护照号**二三四五"),
      ("🇨🇳🇨🇳🇨🇳🇨🇳🇨🇳🇨🇳🇨🇳🇨🇳", "🇨🇳🇨🇳🇨🇳*🇨🇳🇨🇳🇨🇳🇨🇳"),
    ])
  func identifiers(raw: String, masked: String) {
    #expect(Masking.maskIdentifier(raw) == masked)
  }

  @Test("Masked identifiers keep the length and never reveal a short value whole")
  func identifierInvariants() {
    for length in 1...20 {
      let raw = String(repeating: "7", count: length)
      let masked = Masking.maskIdentifier(raw)
      #expect(masked.count == length)
      #expect(masked != raw)
      #expect(masked.filter { $0 == "7" }.count == min(length - 1, length >= 8 ? 7 : 1))
    }
  }

  @Test(
    "Names keep the first (and for 3+ the last) character",
    arguments: [
      ("张三", "张*"),
      ("欧阳娜娜", "欧**娜"),
      ("王小明", "王*明"),
      ("李", "*"),
      ("", ""),
      ("John Smith", "J********h"),
      ("Jose\u{301}", "J**e\u{301}"),
      ("阿卜杜热合曼·买买提", "阿********提"),
    ])
  func names(raw: String, masked: String) {
    #expect(Masking.maskName(raw) == masked)
  }
}
