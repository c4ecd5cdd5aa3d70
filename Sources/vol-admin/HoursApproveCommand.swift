import ArgumentParser
import Foundation
import WireProtocol

struct HoursApproveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "approve",
    abstract: "Approve pending records (admins of the organisation running the activity).",
    discussion: """
      Calls Hours.ApproveRecords with up to 1,000 record ids and prints one line per record: \
      approved, or refused with the reason. Each record is reviewed on its own, so one \
      refusal does not stop the others; the exit code is 1 if any was refused. Approved \
      records count towards the volunteer's totals at once and are never edited again.

      Daily cap: up to 8 hours a day per volunteer approve normally. Over 8 hours, the \
      verifying organisation takes responsibility with --override verifying-organisation; \
      over 12 hours only a province-level (or national) admin may approve, with \
      --override province-level. --note (at most 500 characters) is kept with the approval.

      Approving an approved record is refused with its status, so repeating the command after \
      a timeout is safe: the records approved the first time say so.

      Example:
        vol-admin hours approve R000000001 R000000002
        vol-admin hours approve R000000007 --override verifying-organisation \\
          --note "10 h flood relief shift confirmed by the site lead"
      """
  )

  @Argument(help: ArgumentHelp("Ids of the records to approve, e.g. R000000001.", valueName: "id"))
  var ids: [String]

  @Option(
    name: .customLong("override"),
    help: ArgumentHelp(
      "Take responsibility for a day over the cap: verifying-organisation (over 8 h) or "
        + "province-level (over 12 h).",
      valueName: "who"))
  var capOverride: CapOverrideArgument?

  @Option(
    help: ArgumentHelp("A note kept with the approval (at most 500 characters).", valueName: "text")
  )
  var note: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try self.makeRequest()
  }

  func makeRequest() throws -> Volunteer_V1_ReviewRecordsRequest {
    var request = Volunteer_V1_ReviewRecordsRequest()
    request.recordIds = try ReviewArguments.ids(self.ids)
    if let note = self.note {
      request.reason = try LedgerArguments.text(note, "--note", 1...500)
    }
    request.capOverride = self.capOverride?.proto ?? .none
    return request
  }

  func run() async throws {
    let request = try self.makeRequest()
    let response = try await self.connection.withClient(
      retryHint: "the outcome is unknown: repeating the command is safe"
    ) { client, options in
      try await Volunteer_V1_Hours.Client(wrapping: client).approveRecords(
        request, options: options)
    }
    try ReviewResultView.report(response, json: self.connection.json)
  }
}

/// The record ids of `hours approve` and `hours reject`.
enum ReviewArguments {
  /// 1-1000 ids, trimmed, without repeats (a repeat would be refused as already reviewed).
  static func ids(_ raw: [String]) throws -> [String] {
    guard (1...1000).contains(raw.count) else {
      throw ValidationError("give 1-1000 record ids (e.g. R000000001), got \(raw.count).")
    }
    var seen = Set<String>()
    var ids: [String] = []
    for value in raw {
      let id = try LedgerArguments.serviceID(value, "<id>", example: "R000000001")
      if seen.insert(id).inserted { ids.append(id) }
    }
    return ids
  }
}
