import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

@testable import VolunteerService

extension Harness {
  /// A volunteer, an activity, an approved record and a credential, made through the handlers
  /// as the root admin, so that requests naming them reach the deeper checks. Best effort: a
  /// step that fails is reported and the rest goes on.
  func makeFixtures() -> Fixtures {
    var fixtures = Fixtures()
    let configuration = ServiceConfiguration()
    fixtures.rootOrganisationID = configuration.rootOrganisationID
    let now = Date()
    _ = self.response(
      Volunteer_V1_Organisations.Method.CreateOrganisation.descriptor,
      Seeds.createOrganisation(parent: fixtures.rootOrganisationID, id: fixtures.provinceID),
      as: Volunteer_V1_Organisation.self)
    _ = self.response(
      Volunteer_V1_Principals.Method.AddPrincipal.descriptor,
      Volunteer_V1_AddPrincipalRequest.with {
        $0.id = Harness.partner
        $0.role = .partner
        $0.scopeOrganisationID = fixtures.provinceID
        $0.displayName = "fuzz partner"
      }, as: Volunteer_V1_Principal.self)
    _ = self.response(
      Volunteer_V1_Principals.Method.AddPrincipal.descriptor,
      Volunteer_V1_AddPrincipalRequest.with {
        $0.id = Harness.auditor
        $0.role = .auditor
        $0.scopeOrganisationID = fixtures.rootOrganisationID
      }, as: Volunteer_V1_Principal.self)
    if let registered = self.response(
      Volunteer_V1_Volunteers.Method.RegisterVolunteer.descriptor,
      Seeds.registerVolunteer(organisation: fixtures.provinceID),
      as: Volunteer_V1_RegisterVolunteerResponse.self)
    {
      fixtures.volunteerNumber = registered.volunteer.volunteerNumber
    }
    if let activity = self.response(
      Volunteer_V1_Activities.Method.CreateActivity.descriptor,
      Seeds.createActivity(organisation: fixtures.provinceID, now: now), as: Volunteer_V1_Activity.self)
    {
      fixtures.activityID = activity.id
      _ = self.response(
        Volunteer_V1_Activities.Method.PublishActivity.descriptor,
        Volunteer_V1_ActivityRef.with { $0.id = activity.id }, as: Volunteer_V1_Activity.self)
    }
    if let record = self.response(
      Volunteer_V1_Hours.Method.LogHours.descriptor,
      Seeds.logHours(volunteer: fixtures.volunteerNumber, activity: fixtures.activityID, now: now),
      as: Volunteer_V1_ServiceRecord.self)
    {
      fixtures.recordID = record.id
      _ = self.response(
        Volunteer_V1_Hours.Method.ApproveRecords.descriptor,
        Volunteer_V1_ReviewRecordsRequest.with { $0.recordIds = [record.id] },
        as: Volunteer_V1_ReviewRecordsResponse.self)
    }
    if let credential = self.response(
      Volunteer_V1_Credentials.Method.IssueCredential.descriptor,
      Volunteer_V1_IssueCredentialRequest.with {
        $0.idempotencyKey = "seed-credential"
        $0.volunteerNumber = fixtures.volunteerNumber
        $0.validDays = 365
      }, as: Volunteer_V1_Credential.self)
    {
      fixtures.credentialNumber = credential.number
      fixtures.credentialToken = credential.token
      fixtures.kid = credential.kid
    }
    return fixtures
  }
}

/// The seed corpus of fuzz-requests: one valid request per served method (as the root admin),
/// plus a few as the province partner. `FUZZ_WRITE_SEEDS=DIR fuzz-requests -runs=1` writes them.
enum Seeds {
  static func write(to directory: String, harness: Harness) {
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let now = Date()
    var written = 0
    for (index, method) in harness.methods.enumerated() {
      let message = Self.request(for: method, fixtures: harness.fixtures, now: now)
      let bytes: [UInt8] = (try? message.serializedBytes()) ?? []
      for (caller, suffix) in [(0, ""), (4, "-as-partner")] {
        if caller != 0 && bytes.isEmpty { continue }
        let file = directory + "/\(method.service.fullyQualifiedService).\(method.method)\(suffix)"
        let input = [UInt8(index), UInt8(caller)] + bytes
        FileManager.default.createFile(atPath: file, contents: Data(input))
        written += 1
      }
    }
    print("fuzz-requests: wrote \(written) seeds for \(harness.methods.count) methods to \(directory)")
  }

  /// A valid request for `method`; the method's own empty message when it takes no fields.
  static func request(for method: MethodDescriptor, fixtures f: Harness.Fixtures, now: Date) -> any SwiftProtobuf.Message {
    let day: TimeInterval = 86_400
    switch method {
    case Volunteer_V1_Volunteers.Method.RegisterVolunteer.descriptor:
      return Self.registerVolunteer(organisation: f.provinceID)
    case Volunteer_V1_Volunteers.Method.GetVolunteer.descriptor:
      return Volunteer_V1_GetVolunteerRequest.with { $0.volunteerNumber = f.volunteerNumber }
    case Volunteer_V1_Volunteers.Method.ListVolunteers.descriptor:
      return Volunteer_V1_ListVolunteersRequest.with {
        $0.organisationID = f.provinceID
        $0.pageSize = 10
        $0.pageToken = PageToken.encode(1)
        $0.registeredFrom = Google_Protobuf_Timestamp(date: now - 30 * day)
      }
    case Volunteer_V1_Volunteers.Method.TransferVolunteer.descriptor:
      return Volunteer_V1_TransferVolunteerRequest.with {
        $0.volunteerNumber = f.volunteerNumber
        $0.toOrganisationID = f.rootOrganisationID
        $0.reason = "moved"
      }
    case Volunteer_V1_Volunteers.Method.WithdrawVolunteer.descriptor:
      return Volunteer_V1_WithdrawVolunteerRequest.with { $0.volunteerNumber = f.volunteerNumber }
    case Volunteer_V1_Activities.Method.CreateActivity.descriptor:
      return Self.createActivity(organisation: f.provinceID, now: now)
    case Volunteer_V1_Activities.Method.PublishActivity.descriptor,
      Volunteer_V1_Activities.Method.CloseActivity.descriptor,
      Volunteer_V1_Activities.Method.GetActivity.descriptor:
      return Volunteer_V1_ActivityRef.with { $0.id = f.activityID }
    case Volunteer_V1_Activities.Method.ListActivities.descriptor:
      return Volunteer_V1_ListActivitiesRequest.with {
        $0.organisationID = f.provinceID
        $0.from = Google_Protobuf_Timestamp(date: now - 30 * day)
        $0.before = Google_Protobuf_Timestamp(date: now + 30 * day)
        $0.pageSize = 5
      }
    case Volunteer_V1_Hours.Method.LogHours.descriptor, Volunteer_V1_Hours.Method.UploadHours.descriptor:
      return Self.logHours(volunteer: f.volunteerNumber, activity: f.activityID, now: now)
    case Volunteer_V1_Hours.Method.ApproveRecords.descriptor:
      return Volunteer_V1_ReviewRecordsRequest.with {
        $0.recordIds = [f.recordID]
        $0.reason = "checked"
        $0.capOverride = .verifyingOrganisation
      }
    case Volunteer_V1_Hours.Method.RejectRecords.descriptor:
      return Volunteer_V1_ReviewRecordsRequest.with {
        $0.recordIds = [f.recordID, "no-such-record"]
        $0.reason = "not attended"
      }
    case Volunteer_V1_Hours.Method.ListRecords.descriptor:
      return Volunteer_V1_ListRecordsRequest.with {
        $0.volunteerNumber = f.volunteerNumber
        $0.status = .approved
        $0.pageSize = 20
      }
    case Volunteer_V1_Hours.Method.CorrectRecord.descriptor:
      return Volunteer_V1_CorrectRecordRequest.with {
        $0.idempotencyKey = "seed-correction"
        $0.recordID = f.recordID
        $0.kind = .adjustment
        $0.adjustmentMinutes = -30
        $0.reason = "left early"
      }
    case Volunteer_V1_Statistics.Method.GetStatistics.descriptor:
      return Volunteer_V1_GetStatisticsRequest.with {
        $0.organisationID = f.provinceID
        $0.from = Google_Protobuf_Timestamp(date: now - 365 * day)
        $0.before = Google_Protobuf_Timestamp(date: now)
      }
    case Volunteer_V1_Recognition.Method.RecordTraining.descriptor:
      return Volunteer_V1_RecordTrainingRequest.with {
        $0.idempotencyKey = "seed-training"
        $0.volunteerNumber = f.volunteerNumber
        $0.organisationID = f.provinceID
        $0.title = "First aid"
        $0.startTime = Google_Protobuf_Timestamp(date: now - 2 * day)
        $0.endTime = Google_Protobuf_Timestamp(date: now - 2 * day + 7_200)
      }
    case Volunteer_V1_Recognition.Method.RecordAward.descriptor:
      return Volunteer_V1_RecordAwardRequest.with {
        $0.idempotencyKey = "seed-award"
        $0.volunteerNumber = f.volunteerNumber
        $0.organisationID = f.provinceID
        $0.title = "Volunteer of the month"
        $0.level = "city"
        $0.awardedOn = Volunteer_V1_Date.with {
          $0.year = 2024
          $0.month = 2
          $0.day = 29
        }
      }
    case Volunteer_V1_Recognition.Method.ListRecognition.descriptor:
      return Volunteer_V1_ListRecognitionRequest.with { $0.volunteerNumber = f.volunteerNumber }
    case Volunteer_V1_Principals.Method.AddPrincipal.descriptor:
      return Volunteer_V1_AddPrincipalRequest.with {
        $0.id = "spiffe://volunteer/partner/seed"
        $0.role = .partner
        $0.scopeOrganisationID = f.provinceID
        $0.displayName = "seed partner"
      }
    case Volunteer_V1_Principals.Method.DisablePrincipal.descriptor,
      Volunteer_V1_Principals.Method.EnablePrincipal.descriptor:
      return Volunteer_V1_SetPrincipalEnabledRequest.with { $0.id = "spiffe://volunteer/partner/seed" }
    case Volunteer_V1_Organisations.Method.CreateOrganisation.descriptor:
      return Self.createOrganisation(parent: f.provinceID, id: "fuzz-city")
    case Volunteer_V1_Organisations.Method.GetOrganisation.descriptor:
      return Volunteer_V1_GetOrganisationRequest.with { $0.id = f.provinceID }
    case Volunteer_V1_Organisations.Method.ListChildren.descriptor:
      return Volunteer_V1_ListChildrenRequest.with { $0.id = f.rootOrganisationID }
    case Volunteer_V1_Organisations.Method.GetSubtree.descriptor:
      return Volunteer_V1_GetSubtreeRequest.with { $0.id = f.rootOrganisationID }
    case Volunteer_V1_Evaluations.Method.Evaluate.descriptor:
      return Volunteer_V1_EvaluateRequest.with {
        $0.volunteerNumber = f.volunteerNumber
        $0.asOf = Volunteer_V1_Date.with {
          $0.year = 2025
          $0.month = 6
          $0.day = 30
        }
        $0.policyID = "national"
      }
    case Volunteer_V1_Evaluations.Method.GetPolicy.descriptor:
      return Volunteer_V1_GetPolicyRequest.with {
        $0.id = "national"
        $0.version = 1
      }
    case Volunteer_V1_Evaluations.Method.LoadPolicy.descriptor:
      let path = Harness.repository + "/Policies"
      let file = (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted().first { $0.hasSuffix(".json") }
      let json = file.flatMap { try? String(contentsOfFile: path + "/" + $0, encoding: .utf8) } ?? "{}"
      return Volunteer_V1_LoadPolicyRequest.with { $0.documentJson = json }
    case Volunteer_V1_Credentials.Method.IssueCredential.descriptor:
      return Volunteer_V1_IssueCredentialRequest.with {
        $0.idempotencyKey = "seed-credential-2"
        $0.volunteerNumber = f.volunteerNumber
        $0.validDays = 30
        $0.includeIdentityHash = true
      }
    case Volunteer_V1_Credentials.Method.GetCredential.descriptor,
      Volunteer_V1_Credentials.Method.ExportEvidence.descriptor:
      return Volunteer_V1_GetCredentialRequest.with { $0.number = f.credentialNumber }
    case Volunteer_V1_Credentials.Method.VerifyCredential.descriptor:
      return Volunteer_V1_VerifyCredentialRequest.with { $0.token = f.credentialToken }
    case Volunteer_V1_Credentials.Method.SetCredentialStatus.descriptor:
      return Volunteer_V1_SetCredentialStatusRequest.with {
        $0.number = f.credentialNumber
        $0.status = .suspended
        $0.reason = "under review"
      }
    case Volunteer_V1_Credentials.Method.ExportCredentials.descriptor:
      return Volunteer_V1_ExportCredentialsRequest.with {
        $0.organisationID = f.provinceID
        $0.status = .active
        $0.issuedFrom = Google_Protobuf_Timestamp(date: now - 30 * day)
      }
    case Volunteer_V1_Credentials.Method.GetStatusList.descriptor:
      return Volunteer_V1_GetStatusListRequest.with { $0.purpose = "revocation" }
    case Volunteer_V1_Credentials.Method.RotateKey.descriptor:
      return Volunteer_V1_RotateKeyRequest.with { $0.activationDelaySeconds = 3_600 }
    case Volunteer_V1_Credentials.Method.RetireKey.descriptor,
      Volunteer_V1_Credentials.Method.MarkKeyCompromised.descriptor:
      return Volunteer_V1_KeyRequest.with { $0.kid = f.kid }
    default:
      // Health/Check, Evaluations/ListPolicies, Credentials/GetKeySet, the Audit methods, …:
      // requests without fields. Any method added later lands here too, with an empty seed.
      return Google_Protobuf_Empty()
    }
  }

  static func createOrganisation(parent: String, id: String) -> Volunteer_V1_CreateOrganisationRequest {
    .with {
      $0.id = id
      $0.parentID = parent
      $0.kind = id == "fuzz-province" ? .province : .city
      $0.name = "Fuzz \(id)"
      $0.regionCode = id == "fuzz-province" ? "110000" : "110100"
    }
  }

  static func registerVolunteer(organisation: String) -> Volunteer_V1_RegisterVolunteerRequest {
    .with {
      $0.idempotencyKey = "seed-volunteer"
      $0.realName = "张三"
      $0.documentType = .residentID
      $0.documentNumber = "11010519491231002X"
      $0.sex = .female
      $0.phone = "13800138000"
      $0.organisationID = organisation
      $0.skills = ["first aid"]
    }
  }

  static func createActivity(organisation: String, now: Date) -> Volunteer_V1_CreateActivityRequest {
    .with {
      $0.idempotencyKey = "seed-activity"
      $0.organisationID = organisation
      $0.title = "Park clean-up"
      $0.category = .environment
      $0.regionCode = "110000"
      $0.place = "Chaoyang Park"
      $0.startTime = Google_Protobuf_Timestamp(date: now - 3 * 86_400)
      $0.endTime = Google_Protobuf_Timestamp(date: now + 3 * 86_400)
      $0.plannedMinutes = 240
      $0.personInCharge = "李四"
    }
  }

  static func logHours(volunteer: String, activity: String, now: Date) -> Volunteer_V1_LogHoursRequest {
    .with {
      $0.idempotencyKey = "seed-hours"
      $0.volunteerNumber = volunteer
      $0.activityID = activity
      $0.startTime = Google_Protobuf_Timestamp(date: now - 86_400)
      $0.endTime = Google_Protobuf_Timestamp(date: now - 86_400 + 7_200)
      $0.content = "Picked up litter"
      $0.travelTimeExcluded = true
    }
  }
}

/// libFuzzer calls this once before the first input: assemble the service now (and, with
/// `FUZZ_WRITE_SEEDS=DIR`, write the seed corpus and exit).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
  _ = Harness.shared
  return 0
}
