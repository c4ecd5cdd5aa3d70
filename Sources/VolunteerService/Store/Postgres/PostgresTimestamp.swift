import Foundation
import NIOCore
import PostgresNIO

/// An instant bound as a `timestamptz` at the precision both stores keep: whole milliseconds
/// since 1970, rounded as GRDB's `yyyy-MM-dd HH:mm:ss.SSS` rounds when it writes a date to
/// SQLite. So a value reads back the same from either store, and the audit digest of a row
/// (which prints dates that way) is the same on both.
///
/// postgres-nio's own `Date` encoding truncates the binary fraction to microseconds, which
/// can land one microsecond (and so one printed millisecond) below the SQLite value.
struct PostgresTimestamp: PostgresNonThrowingEncodable, Sendable {
  static var psqlType: PostgresDataType { .timestamptz }
  static var psqlFormat: PostgresFormat { .binary }

  /// Milliseconds since 1970-01-01 UTC.
  let milliseconds: Int64

  init(_ date: Date) {
    self.milliseconds = Int64((date.timeIntervalSince1970 * 1_000).rounded())
  }

  /// The instant as a `Date`.
  var date: Date { Date(timeIntervalSince1970: Double(self.milliseconds) / 1_000) }

  func encode<JSONEncoder: PostgresJSONEncoder>(
    into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
  ) {
    // PostgreSQL counts microseconds from 2000-01-01 UTC.
    byteBuffer.writeInteger((self.milliseconds - 946_684_800_000) * 1_000)
  }
}
