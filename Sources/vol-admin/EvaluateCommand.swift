import ArgumentParser
import Foundation
import SwiftProtobuf
import WireProtocol

struct EvaluateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Evaluate a volunteer: star level, annual tier, module credits, totals.",
    discussion: """
      Calls Evaluations.Evaluate. Only approved records count; hours are credited hours \
      (half-hour bands under the national policy). The annual tier looks at the 12 months \
      ending on --as-of for the volunteer's age group on that day. Without --policy the \
      service's default policy is used, in its newest version (`vol-admin policy list`).

      Example:
        vol-admin evaluate V0000000014
        vol-admin evaluate V0000000014 --as-of 2026-06-30 --policy beijing
        vol-admin evaluate V0000000014 --policy national --policy-version 1 --json
      """
  )

  @Argument(help: ArgumentHelp("The volunteer number, e.g. V0000000014.", valueName: "number"))
  var number: String

  @Option(help: ArgumentHelp("Evaluate as of this day (inclusive; default today).", valueName: "YYYY-MM-DD"))
  var asOf: String?

  @Option(help: ArgumentHelp("Policy id (default: the service's default policy).", valueName: "id"))
  var policy: String?

  @Option(help: ArgumentHelp("Policy version (default: the newest).", valueName: "n"))
  var policyVersion: UInt32?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try LedgerArguments.volunteerNumber(self.number, "<number>")
    if let asOf = self.asOf {
      do {
        _ = try CalendarDate.parse(asOf)
      } catch {
        throw ValidationError("--as-of: \(error)")
      }
    }
    if self.policyVersion == 0 { throw ValidationError("--policy-version starts at 1.") }
  }

  func run() async throws {
    var request = Volunteer_V1_EvaluateRequest()
    request.volunteerNumber = try LedgerArguments.volunteerNumber(self.number, "<number>")
    if let asOf = self.asOf { request.asOf = try CalendarDate.parse(asOf).proto }
    request.policyID = self.policy ?? ""
    request.policyVersion = self.policyVersion ?? 0
    let evaluation = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Evaluations.Client(wrapping: client).evaluate(request, options: options)
    }
    let view = EvaluationView(evaluation)
    if self.connection.json {
      try Output.json(view)
      return
    }
    Output.keyValues(
      [
        ("volunteer", view.volunteerNumber),
        ("as of", view.asOf),
        ("age", String(view.age)),
        ("policy", "\(view.policyID) v\(view.policyVersion)"),
        ("lifetime hours", Output.hours(halfHours: view.lifetimeCreditedHalfHours)),
        ("lifetime minutes", String(view.lifetimeMinutes)),
        ("last 12 months", Output.hours(halfHours: view.trailingYearCreditedHalfHours)),
        ("approved records", String(view.approvedRecords)),
        ("activities", String(view.activities)),
        ("organisations", String(view.organisations)),
        ("star level", String(repeating: "★", count: view.starLevel) + " (\(view.starLevel))"),
        ("next star at", view.nextStarHours.map { "\($0) h" } ?? "top level reached"),
        ("annual tier", view.annualTier ?? "none"),
        ("lifetime award", view.lifetimeAward ? "yes" : "no"),
      ]
        + view.modules.map {
          ("module \($0.moduleID)", "\(Output.hours(halfHours: $0.creditedHalfHours)): \($0.credits) credit(s)")
        })
  }
}

struct EvaluationView: Encodable {
  struct Module: Encodable {
    var moduleID: String
    var creditedHalfHours: Int
    var credits: Int
    enum CodingKeys: String, CodingKey {
      case moduleID = "module_id"
      case creditedHalfHours = "credited_half_hours"
      case credits
    }
  }

  var volunteerNumber: String
  var asOf: String
  var age: Int
  var policyID: String
  var policyVersion: Int
  var lifetimeMinutes: Int
  var lifetimeCreditedHalfHours: Int
  var trailingYearMinutes: Int
  var trailingYearCreditedHalfHours: Int
  var approvedRecords: Int
  var activities: Int
  var organisations: Int
  var starLevel: Int
  var nextStarHours: Int?
  var annualTier: String?
  var lifetimeAward: Bool
  var modules: [Module]

  init(_ evaluation: Volunteer_V1_Evaluation) {
    self.volunteerNumber = evaluation.volunteerNumber
    self.asOf = String(format: "%04d-%02d-%02d", evaluation.asOf.year, evaluation.asOf.month, evaluation.asOf.day)
    self.age = Int(evaluation.age)
    self.policyID = evaluation.policyID
    self.policyVersion = Int(evaluation.policyVersion)
    self.lifetimeMinutes = Int(evaluation.lifetimeMinutes)
    self.lifetimeCreditedHalfHours = Int(evaluation.lifetimeCreditedHalfHours)
    self.trailingYearMinutes = Int(evaluation.trailingYearMinutes)
    self.trailingYearCreditedHalfHours = Int(evaluation.trailingYearCreditedHalfHours)
    self.approvedRecords = Int(evaluation.approvedRecords)
    self.activities = Int(evaluation.activities)
    self.organisations = Int(evaluation.organisations)
    self.starLevel = Int(evaluation.starLevel)
    self.nextStarHours = evaluation.nextStarHours == 0 ? nil : Int(evaluation.nextStarHours)
    self.annualTier =
      switch evaluation.annualTier {
      case .bronze: "bronze"
      case .silver: "silver"
      case .gold: "gold"
      default: nil
      }
    self.lifetimeAward = evaluation.lifetimeAward
    self.modules = evaluation.modules.map {
      Module(moduleID: $0.moduleID, creditedHalfHours: Int($0.creditedHalfHours), credits: Int($0.credits))
    }
  }

  enum CodingKeys: String, CodingKey {
    case volunteerNumber = "volunteer_number"
    case asOf = "as_of"
    case age
    case policyID = "policy_id"
    case policyVersion = "policy_version"
    case lifetimeMinutes = "lifetime_minutes"
    case lifetimeCreditedHalfHours = "lifetime_credited_half_hours"
    case trailingYearMinutes = "trailing_year_minutes"
    case trailingYearCreditedHalfHours = "trailing_year_credited_half_hours"
    case approvedRecords = "approved_records"
    case activities, organisations
    case starLevel = "star_level"
    case nextStarHours = "next_star_hours"
    case annualTier = "annual_tier"
    case lifetimeAward = "lifetime_award"
    case modules
  }
}
