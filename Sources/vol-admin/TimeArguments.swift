import ArgumentParser
import Foundation
import SwiftProtobuf

/// Instants given on the command line or in an import file: ISO 8601 / RFC 3339 with an
/// offset, e.g. `2026-03-01T09:00:00+08:00`; a time without offset is read in Asia/Shanghai,
/// the service's record time zone.
enum TimeArguments {
  /// Asia/Shanghai (UTC+8 without daylight saving since 1991).
  static let shanghai: TimeZone =
    TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!

  /// What an instant looks like, quoted in every message.
  static let form =
    "an ISO 8601 time such as 2026-03-01T09:00:00+08:00 or 2026-03-01T01:00Z "
    + "(without an offset it is read in Asia/Shanghai)"

  struct ParseError: Error, CustomStringConvertible {
    var description: String
  }

  /// Parses `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH:MM|±HHMM|±HH]`.
  static func instant(_ raw: String) throws -> Google_Protobuf_Timestamp {
    let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    let characters = Array(text)
    guard characters.count >= 16,
      characters[10] == "T" || characters[10] == "t" || characters[10] == " "
    else {
      throw ParseError(description: "'\(raw)' is not \(form)")
    }
    let date: CalendarDate
    do {
      date = try CalendarDate.parse(String(characters[0..<10]))
    } catch {
      throw ParseError(description: "'\(raw)': \(error); expected \(form)")
    }
    var index = 11
    func digits(_ count: Int) -> Int? {
      guard index + count <= characters.count else { return nil }
      var value = 0
      for character in characters[index..<(index + count)] {
        guard character.isASCII, let digit = character.wholeNumberValue else { return nil }
        value = value * 10 + digit
      }
      index += count
      return value
    }
    func take(_ character: Character) -> Bool {
      guard index < characters.count, characters[index] == character else { return false }
      index += 1
      return true
    }
    let bad = ParseError(description: "'\(raw)' is not \(form)")
    guard let hour = digits(2), take(":"), let minute = digits(2) else { throw bad }
    var second = 0
    var nanos = 0
    if take(":") {
      guard let value = digits(2) else { throw bad }
      second = value
      if take(".") || take(",") {
        var count = 0
        var fraction = 0
        while index < characters.count, characters[index].isASCII,
          let digit = characters[index].wholeNumberValue
        {
          if count < 9 { fraction = fraction * 10 + digit }
          count += 1
          index += 1
        }
        guard count > 0 else { throw bad }
        for _ in min(count, 9)..<9 { fraction *= 10 }
        nanos = fraction
      }
    }
    guard hour < 24, minute < 60, second < 60 else {
      throw ParseError(
        description: "'\(raw)': \(hour):\(minute):\(second) is not a time of day; expected \(form)")
    }
    var offset: Int?
    if index < characters.count {
      if take("Z") || take("z") {
        offset = 0
      } else if characters[index] == "+" || characters[index] == "-" {
        let sign = characters[index] == "-" ? -1 : 1
        index += 1
        guard let hours = digits(2) else { throw bad }
        var minutes = 0
        if take(":") {
          guard let value = digits(2) else { throw bad }
          minutes = value
        } else if index < characters.count {
          guard let value = digits(2) else { throw bad }
          minutes = value
        }
        guard hours <= 18, minutes < 60 else {
          throw ParseError(description: "'\(raw)': the offset is out of range (at most ±18:00)")
        }
        offset = sign * (hours * 3600 + minutes * 60)
      }
      guard index == characters.count else { throw bad }
    }
    let local =
      Int64(Self.daysSinceEpoch(date)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    let seconds: Int64
    if let offset {
      seconds = local - Int64(offset)
    } else {
      // The zone's offset at that local time (Asia/Shanghai had summer time until 1991).
      let guess = Date(timeIntervalSince1970: TimeInterval(local - 8 * 3600))
      seconds = local - Int64(Self.shanghai.secondsFromGMT(for: guess))
    }
    var timestamp = Google_Protobuf_Timestamp()
    timestamp.seconds = seconds
    timestamp.nanos = Int32(nanos)
    return timestamp
  }

  /// A `--from`/`--before` bound: a date (`YYYY-MM-DD`, its start in Asia/Shanghai) or an
  /// instant as in ``instant(_:)``.
  static func bound(_ raw: String) throws -> Google_Protobuf_Timestamp {
    let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    if text.count == 10 {
      do {
        return try Self.instant(text + "T00:00:00")
      } catch {
        throw ParseError(
          description: "'\(raw)' is not a date YYYY-MM-DD (start of the day in Asia/Shanghai) "
            + "or \(form)")
      }
    }
    return try Self.instant(text)
  }

  /// Days from 1970-01-01 to `date` (H. Hinnant's algorithm).
  static func daysSinceEpoch(_ date: CalendarDate) -> Int {
    let year = date.month <= 2 ? date.year - 1 : date.year
    let era = (year >= 0 ? year : year - 399) / 400
    let yearOfEra = year - era * 400
    let monthIndex = date.month > 2 ? date.month - 3 : date.month + 9
    let dayOfYear = (153 * monthIndex + 2) / 5 + date.day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }
}

extension Google_Protobuf_Timestamp {
  /// Seconds since the epoch as a Double, for durations and comparisons.
  var secondsValue: Double { Double(self.seconds) + Double(self.nanos) / 1e9 }

}
