import ArgumentParser
import Foundation
import SwiftProtobuf
import WireProtocol

// JSON views of activities and service records, in the conventions of Output.swift: stable
// snake_case keys, every key always present (null when the server sent nothing), enum values
// spelled as on the command line, instants ISO 8601 in UTC.

struct ActivityView: Encodable {
  var id: String
  var organisationID: String
  var title: String
  var category: String
  var regionCode: String
  var place: String
  var startTime: String?
  var endTime: String?
  var plannedMinutes: Int
  var personInCharge: String
  var status: String
  var createdAt: String?
  var createdBy: String

  init(_ activity: Volunteer_V1_Activity) {
    self.id = activity.id
    self.organisationID = activity.organisationID
    self.title = activity.title
    self.category = activity.category.cliName
    self.regionCode = activity.regionCode
    self.place = activity.place
    self.startTime = activity.hasStartTime ? activity.startTime.iso8601 : nil
    self.endTime = activity.hasEndTime ? activity.endTime.iso8601 : nil
    self.plannedMinutes = Int(activity.plannedMinutes)
    self.personInCharge = activity.personInCharge
    self.status = activity.status.cliName
    self.createdAt = activity.hasCreatedAt ? activity.createdAt.iso8601 : nil
    self.createdBy = activity.createdBy
  }

  enum CodingKeys: String, CodingKey {
    case id, title, category, place, status
    case organisationID = "organisation_id"
    case regionCode = "region_code"
    case startTime = "start_time"
    case endTime = "end_time"
    case plannedMinutes = "planned_minutes"
    case personInCharge = "person_in_charge"
    case createdAt = "created_at"
    case createdBy = "created_by"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.id, forKey: .id)
    try container.encode(self.organisationID, forKey: .organisationID)
    try container.encode(self.title, forKey: .title)
    try container.encode(self.category, forKey: .category)
    try container.encode(self.regionCode, forKey: .regionCode)
    try container.encode(self.place, forKey: .place)
    try container.encode(self.startTime, forKey: .startTime)
    try container.encode(self.endTime, forKey: .endTime)
    try container.encode(self.plannedMinutes, forKey: .plannedMinutes)
    try container.encode(self.personInCharge, forKey: .personInCharge)
    try container.encode(self.status, forKey: .status)
    try container.encode(self.createdAt, forKey: .createdAt)
    try container.encode(self.createdBy, forKey: .createdBy)
  }

  var lines: [(String, String)] {
    [
      ("id", self.id),
      ("status", self.status),
      ("organisation", self.organisationID),
      ("title", self.title),
      ("category", self.category),
      ("region code", self.regionCode),
      ("place", self.place),
      ("start", Output.humanTime(self.startTime)),
      ("end", Output.humanTime(self.endTime)),
      ("planned hours", Output.hours(minutes: self.plannedMinutes)),
      ("person in charge", self.personInCharge),
      ("created at", Output.humanTime(self.createdAt)),
      ("created by", self.createdBy),
    ]
  }
}

struct ServiceRecordView: Encodable {
  var id: String
  var volunteerNumber: String
  var activityID: String
  var organisationID: String
  var startTime: String?
  var endTime: String?
  var minutes: Int
  var creditedHalfHours: Int
  var content: String
  var status: String
  var late: Bool
  var submittedBy: String
  var submittedAt: String?
  var reviewedBy: String?
  var reviewedAt: String?
  var reviewReason: String?
  var capOverride: String?

  init(_ record: Volunteer_V1_ServiceRecord) {
    self.id = record.id
    self.volunteerNumber = record.volunteerNumber
    self.activityID = record.activityID
    self.organisationID = record.organisationID
    self.startTime = record.hasStartTime ? record.startTime.iso8601 : nil
    self.endTime = record.hasEndTime ? record.endTime.iso8601 : nil
    self.minutes = Int(record.minutes)
    self.creditedHalfHours = Int(record.creditedHalfHours)
    self.content = record.content
    self.status = record.status.cliName
    self.late = record.late
    self.submittedBy = record.submittedBy
    self.submittedAt = record.hasSubmittedAt ? record.submittedAt.iso8601 : nil
    self.reviewedBy = record.reviewedBy.isEmpty ? nil : record.reviewedBy
    self.reviewedAt = record.hasReviewedAt ? record.reviewedAt.iso8601 : nil
    self.reviewReason = record.reviewReason.isEmpty ? nil : record.reviewReason
    self.capOverride = record.capOverride.cliName
  }

  /// Credited hours with one decimal, e.g. "2.5".
  var creditedHours: String { Output.hours(halfHours: self.creditedHalfHours) }

  enum CodingKeys: String, CodingKey {
    case id, minutes, content, status, late
    case volunteerNumber = "volunteer_number"
    case activityID = "activity_id"
    case organisationID = "organisation_id"
    case startTime = "start_time"
    case endTime = "end_time"
    case creditedHalfHours = "credited_half_hours"
    case creditedHours = "credited_hours"
    case submittedBy = "submitted_by"
    case submittedAt = "submitted_at"
    case reviewedBy = "reviewed_by"
    case reviewedAt = "reviewed_at"
    case reviewReason = "review_reason"
    case capOverride = "cap_override"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.id, forKey: .id)
    try container.encode(self.volunteerNumber, forKey: .volunteerNumber)
    try container.encode(self.activityID, forKey: .activityID)
    try container.encode(self.organisationID, forKey: .organisationID)
    try container.encode(self.startTime, forKey: .startTime)
    try container.encode(self.endTime, forKey: .endTime)
    try container.encode(self.minutes, forKey: .minutes)
    try container.encode(self.creditedHalfHours, forKey: .creditedHalfHours)
    try container.encode(Double(self.creditedHalfHours) / 2, forKey: .creditedHours)
    try container.encode(self.content, forKey: .content)
    try container.encode(self.status, forKey: .status)
    try container.encode(self.late, forKey: .late)
    try container.encode(self.submittedBy, forKey: .submittedBy)
    try container.encode(self.submittedAt, forKey: .submittedAt)
    try container.encode(self.reviewedBy, forKey: .reviewedBy)
    try container.encode(self.reviewedAt, forKey: .reviewedAt)
    try container.encode(self.reviewReason, forKey: .reviewReason)
    try container.encode(self.capOverride, forKey: .capOverride)
  }

  var lines: [(String, String)] {
    [
      ("id", self.id),
      ("status", self.status),
      ("volunteer number", self.volunteerNumber),
      ("activity", self.activityID),
      ("organisation", self.organisationID),
      ("start", Output.humanTime(self.startTime)),
      ("end", Output.humanTime(self.endTime)),
      ("minutes", String(self.minutes)),
      ("credited hours", self.creditedHours),
      ("content", self.content),
      ("late", self.late ? "yes" : "no"),
      ("submitted at", Output.humanTime(self.submittedAt)),
      ("submitted by", self.submittedBy),
      ("reviewed at", Output.humanTime(self.reviewedAt)),
      ("reviewed by", self.reviewedBy ?? ""),
      ("review reason", self.reviewReason ?? ""),
      ("cap override", self.capOverride ?? ""),
    ]
  }
}

/// The outcome of one record in an approve or reject call.
struct ReviewResultView: Encodable {
  var recordID: String
  /// "approved", "rejected" (the record's new status) or "refused".
  var outcome: String
  var record: ServiceRecordView?
  var code: String?
  var reason: String?

  init(_ result: Volunteer_V1_ReviewResult) {
    self.recordID = result.recordID
    switch result.outcome {
    case .reviewed(let record):
      self.record = ServiceRecordView(record)
      self.outcome = record.status.cliName
    case .refused(let refusal):
      self.outcome = "refused"
      self.code = RefusalCode.name(refusal.code)
      self.reason = refusal.message
    case nil:
      self.outcome = "refused"
      self.code = "UNKNOWN"
      self.reason = "the server sent no outcome for this record"
    }
  }

  var refused: Bool { self.record == nil }

  enum CodingKeys: String, CodingKey {
    case outcome, record, code, reason
    case recordID = "record_id"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.recordID, forKey: .recordID)
    try container.encode(self.outcome, forKey: .outcome)
    try container.encode(self.record, forKey: .record)
    try container.encode(self.code, forKey: .code)
    try container.encode(self.reason, forKey: .reason)
  }
}

/// gRPC status codes carried as numbers in RefusedRecord.
enum RefusalCode {
  static func name(_ code: UInt32) -> String {
    let names = [
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED",
    ]
    return code < names.count ? names[Int(code)] : "CODE_\(code)"
  }
}

extension Output {
  /// Half hours as hours with one decimal: 5 → "2.5".
  static func hours(halfHours: Int) -> String {
    let sign = halfHours < 0 ? "-" : ""
    let magnitude = abs(halfHours)
    return "\(sign)\(magnitude / 2).\(magnitude % 2 == 0 ? "0" : "5")"
  }

  /// Minutes as hours, e.g. 240 → "4", 150 → "2.5", 100 → "1.67".
  static func hours(minutes: Int) -> String {
    if minutes % 60 == 0 { return String(minutes / 60) }
    if minutes % 30 == 0 { return "\(minutes / 60).5" }
    return String(format: "%.2f", Double(minutes) / 60)
  }
}

extension ReviewResultView {
  /// Prints the outcome of an approve or reject call, one row per record (with --json an
  /// array), and fails with exit code 1 when any record was refused.
  static func report(_ response: Volunteer_V1_ReviewRecordsResponse, json: Bool) throws {
    let views = response.results.map(ReviewResultView.init)
    if json {
      try Output.json(views)
    } else {
      Output.table(
        header: ["RECORD", "OUTCOME", "VOLUNTEER", "CREDITED H", "DETAIL"],
        rows: views.map { view in
          if let record = view.record {
            return [
              view.recordID, view.outcome, record.volunteerNumber, record.creditedHours,
              [record.reviewReason, record.capOverride.map { "override: \($0)" }]
                .compactMap { $0 }.joined(separator: "; "),
            ]
          }
          return [view.recordID, view.outcome, "", "", "\(view.code ?? ""): \(view.reason ?? "")"]
        })
    }
    let refused = views.filter(\.refused).count
    if refused > 0 {
      Console.error(
        refused == views.count
          ? "error: \(refused == 1 ? "the record was" : "all \(refused) records were") refused (see above)."
          : "error: \(refused) of \(views.count) records were refused (see above); the others were "
            + "reviewed.")
      throw ExitCode(ExitStatus.serverError)
    }
  }
}
