import Foundation

/// A small RFC 4180 CSV reader and writer for the import files and their reports.
///
/// Reading: fields are separated by commas; a field may be enclosed in double quotes, and
/// then may contain commas, line breaks and doubled quotes (`""` stands for `"`); records end
/// with LF or CRLF (a lone CR too); a UTF-8 byte order mark at the start is skipped; blank
/// lines are skipped; the last record needs no line break. A quote inside an unquoted field,
/// or text after a closing quote, makes that record malformed (reported with its line
/// number, the rest of the file is still read); a quoted field still open at the end of the
/// file makes the whole file unreadable, since everything after the opening quote would be
/// swallowed.
enum CSV {
  /// One record and the line (1-based) it starts on.
  struct Record {
    var line: Int
    var fields: [String]
    /// Why the record is malformed, if it is; `fields` is then what could be read.
    var problem: String?
  }

  struct FileError: Error, CustomStringConvertible {
    var description: String
  }

  /// Splits `text` into records.
  static func parse(_ text: String) throws -> [Record] {
    var records: [Record] = []
    var fields: [String] = []
    var field = String.UnicodeScalarView()
    var line = 1
    var recordLine = 1
    var problem: String?
    var inQuotes = false
    var quoteLine = 0
    /// Whether the current field was quoted and its closing quote was seen.
    var afterClosingQuote = false
    /// Whether the current record has any content (so blank lines can be skipped).
    var recordStarted = false

    var scalars = text.unicodeScalars[...]
    if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
    var iterator = scalars.makeIterator()
    var pending: Unicode.Scalar? = nil

    func endField() {
      fields.append(String(field))
      field = String.UnicodeScalarView()
      afterClosingQuote = false
    }
    func endRecord() {
      endField()
      if recordStarted {
        records.append(Record(line: recordLine, fields: fields, problem: problem))
      }
      fields = []
      problem = nil
      recordStarted = false
    }

    while let scalar = pending ?? iterator.next() {
      pending = nil
      if inQuotes {
        switch scalar {
        case "\"":
          let next = iterator.next()
          if next == "\"" {
            field.append("\"")
          } else {
            inQuotes = false
            afterClosingQuote = true
            pending = next
          }
        case "\r":
          // CRLF inside a quoted field is one line break, kept as LF.
          let next = iterator.next()
          field.append("\n")
          line += 1
          if next != "\n" { pending = next }
        case "\n":
          field.append("\n")
          line += 1
        default:
          field.append(scalar)
        }
        continue
      }
      switch scalar {
      case ",":
        recordStarted = true
        endField()
      case "\r", "\n":
        if scalar == "\r" {
          let next = iterator.next()
          if next != "\n" { pending = next }
        }
        endRecord()
        line += 1
        recordLine = line
      case "\"":
        recordStarted = true
        if field.isEmpty && !afterClosingQuote {
          inQuotes = true
          quoteLine = line
        } else {
          // Kept, so the report shows the row as it was.
          field.append(scalar)
          if problem == nil {
            problem =
              afterClosingQuote
              ? "text after the closing quote of a field; a quoted field ends at its closing "
                + "quote, followed by a comma or the end of the line"
              : "a quote inside an unquoted field: enclose the whole field in quotes and "
                + "double the quote (\"\")"
          }
        }
      default:
        recordStarted = true
        if afterClosingQuote, problem == nil, scalar != " " && scalar != "\t" {
          problem =
            "text after the closing quote of a field; a quoted field ends at its "
            + "closing quote, followed by a comma or the end of the line"
        }
        if !afterClosingQuote || problem != nil {
          field.append(scalar)
        }
      }
    }
    if inQuotes {
      throw FileError(
        description: "line \(quoteLine): a quoted field is never closed (every \" that opens "
          + "a field needs a closing \"); nothing after it could be read")
    }
    endRecord()
    return records
  }

  /// One field quoted when it needs to be (comma, quote, line break, or surrounding spaces).
  static func field(_ value: String) -> String {
    let needsQuotes =
      value.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
      || value.first == " " || value.last == " "
    guard needsQuotes else { return value }
    return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// One record with CRLF, as RFC 4180 writes it.
  static func line(_ fields: [String]) -> String {
    fields.map(Self.field).joined(separator: ",") + "\r\n"
  }
}
