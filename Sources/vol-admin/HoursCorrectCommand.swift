import ArgumentParser
import Foundation
import WireProtocol

struct HoursCorrectCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "correct",
    abstract: "Correct an approved record with a reversal or an adjustment entry.",
    discussion: """
      Calls Hours.CorrectRecord. Approved records are never edited: a correction is a new, \
      approved entry that references the original. --reverse cancels what the record still \
      counts; --adjust-minutes N adds (positive) or removes (negative) minutes. A reason is \
      required and kept with the correction. The totals move in the same transaction.

      Example:
        vol-admin hours correct R000000001 --adjust-minutes -30 --reason "left early"
        vol-admin hours correct R000000002 --reverse --reason "logged twice by mistake"
      """
  )

  @Argument(help: ArgumentHelp("The approved record to correct, e.g. R000000001.", valueName: "record"))
  var record: String

  @Flag(help: "Cancel what the record still counts.")
  var reverse = false

  // Unconditional, so a negative value such as -30 is read as the value, not as a flag.
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Minutes to add (positive) or remove (negative).", valueName: "minutes"))
  var adjustMinutes: Int?

  @Option(help: ArgumentHelp("Why (1-500 characters).", valueName: "text"))
  var reason: String

  @Option(help: "Your own id for this correction, so a retry does not correct twice (default: a new UUID).")
  var idempotencyKey: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    guard self.reverse != (self.adjustMinutes != nil) else {
      throw ValidationError("Give exactly one of --reverse and --adjust-minutes N.")
    }
    if let minutes = self.adjustMinutes, minutes == 0 || abs(minutes) > 24 * 60 {
      throw ValidationError("--adjust-minutes must be non-zero and at most 1440 either way.")
    }
    let reason = self.reason.trimmingCharacters(in: .whitespacesAndNewlines)
    guard (1...500).contains(reason.count) else {
      throw ValidationError("--reason must be 1-500 characters.")
    }
  }

  func run() async throws {
    var request = Volunteer_V1_CorrectRecordRequest()
    request.idempotencyKey = self.idempotencyKey ?? UUID().uuidString.lowercased()
    request.recordID = self.record
    request.kind = self.reverse ? .reversal : .adjustment
    request.adjustmentMinutes = Int32(self.adjustMinutes ?? 0)
    request.reason = self.reason.trimmingCharacters(in: .whitespacesAndNewlines)
    let correction = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Hours.Client(wrapping: client).correctRecord(request, options: options)
    }
    let lines: [(String, String)] = [
      ("correction", correction.id),
      ("kind", correction.kind == .reversal ? "reversal" : "adjustment"),
      ("corrects", correction.correctsRecordID),
      ("minutes", String(correction.deltaMinutes)),
      ("volunteer", correction.volunteerNumber),
      ("reason", correction.reviewReason),
      ("by", correction.reviewedBy),
      ("idempotency key", request.idempotencyKey),
    ]
    if self.connection.json {
      try Output.json(Dictionary(uniqueKeysWithValues: lines.map { ($0.0.replacingOccurrences(of: " ", with: "_"), $0.1) }))
    } else {
      Output.keyValues(lines)
    }
  }
}
