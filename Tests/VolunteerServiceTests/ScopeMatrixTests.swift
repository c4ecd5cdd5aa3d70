import Crypto
import Foundation
import GRDB
import GRPCCore
import NIOCore
import SwiftProtobuf
import Synchronization
import Testing
import WireProtocol

@testable import VolunteerService

/// Every method × every role × a target inside and outside the caller's scope, generated from
/// the method list and the policy table: adding an RPC without a row here fails the suite.
///
/// Each role has a principal scoped to the county `chaoyang`; `haidian` is its sibling. For each
/// cell the bootstrap admin makes fresh targets on both sides (volunteers, activities, a pending
/// and an approved record, a principal), so a cell never depends on what another cell changed.
/// - A role outside the method's policy: PERMISSION_DENIED on both sides, nothing written.
/// - Inside the scope: the call succeeds.
/// - Outside the scope: NOT_FOUND or PERMISSION_DENIED (per call or per item of a batch), and
///   the database is byte-for-byte what it was.
@Suite("Scope matrix: method × role × inside/outside")
struct ScopeMatrixTests {
  /// What a cell's request may name: one side's targets.
  struct Targets: Sendable {
    var organisation: String
    var volunteer: String
    var activity: String
    var pendingRecord: String
    var approvedRecord: String
    var principal: String
    /// A credential issued to ``volunteer``.
    var credential: String
    var token: String
    /// An organisation inside the caller's scope to move a volunteer to.
    var transferDestination: String
    /// Unique per cell and side: idempotency keys, organisation and principal ids.
    var unique: String
  }

  /// How one method is called against one side's targets.
  struct Call: Sendable {
    var request: @Sendable (Targets) throws -> [UInt8]
    /// False for methods that name no target (the outside cell is skipped).
    var isScoped = true
    /// Only admins scoped to the root may call it: a scoped admin is PERMISSION_DENIED.
    var rootOnly = false
    var isClientStreaming = false
    var isServerStreaming = false
    /// Refusal codes a batch method reports per item inside a successful response.
    var itemCodes: (@Sendable ([UInt8]) throws -> [UInt32])?
  }

  static let calls: [String: Call] = {
    @Sendable func bytes(_ message: some SwiftProtobuf.Message) throws -> [UInt8] {
      try message.serializedBytes()
    }
    @Sendable func log(_ t: Targets, day: Int = 2) -> Volunteer_V1_LogHoursRequest {
      LedgerEndToEndTests.log(
        key: "log-\(t.unique)", volunteer: t.volunteer, activity: t.activity, day: day, from: 14,
        to: 15)
    }
    let uploadCodes: @Sendable ([UInt8]) throws -> [UInt32] = { bytes in
      try Volunteer_V1_UploadHoursResponse(serializedBytes: bytes).results.map {
        if case .refused(let refused) = $0.outcome { refused.code } else { 0 }
      }
    }
    let reviewCodes: @Sendable ([UInt8]) throws -> [UInt32] = { bytes in
      try Volunteer_V1_ReviewRecordsResponse(serializedBytes: bytes).results.map {
        if case .refused(let refused) = $0.outcome { refused.code } else { 0 }
      }
    }
    typealias H = Volunteer_V1_Health.Method
    typealias V = Volunteer_V1_Volunteers.Method
    typealias P = Volunteer_V1_Principals.Method
    typealias O = Volunteer_V1_Organisations.Method
    typealias A = Volunteer_V1_Activities.Method
    typealias R = Volunteer_V1_Hours.Method
    typealias S = Volunteer_V1_Statistics.Method
    typealias G = Volunteer_V1_Recognition.Method
    typealias E = Volunteer_V1_Evaluations.Method
    typealias C = Volunteer_V1_Credentials.Method
    typealias L = Volunteer_V1_Audit.Method
    return [
      H.Check.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_HealthCheckRequest()) }, isScoped: false),
      V.RegisterVolunteer.descriptor.fullyQualifiedMethod: Call(request: { t in
        var request = ServiceEndToEndTests.registration(
          key: "reg-\(t.unique)", document: ScopeMatrixTests.nextDocument())
        request.organisationID = t.organisation
        return try bytes(request)
      }),
      V.GetVolunteer.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_GetVolunteerRequest.with { $0.volunteerNumber = t.volunteer })
      }),
      V.ListVolunteers.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_ListVolunteersRequest.with { $0.organisationID = t.organisation })
      }),
      V.TransferVolunteer.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(
          Volunteer_V1_TransferVolunteerRequest.with {
            $0.volunteerNumber = t.volunteer
            $0.toOrganisationID = t.transferDestination
            $0.reason = "moved house"
          })
      }),
      V.WithdrawVolunteer.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_WithdrawVolunteerRequest.with { $0.volunteerNumber = t.volunteer })
      }),
      P.AddPrincipal.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(
          Volunteer_V1_AddPrincipalRequest.with {
            $0.id = "spiffe://volunteer/partner/new-\(t.unique)"
            $0.role = .partner
            $0.scopeOrganisationID = t.organisation
          })
      }),
      P.ListPrincipals.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_ListPrincipalsRequest()) }, isScoped: false),
      P.DisablePrincipal.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_SetPrincipalEnabledRequest.with { $0.id = t.principal })
      }),
      P.EnablePrincipal.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_SetPrincipalEnabledRequest.with { $0.id = t.principal })
      }),
      O.CreateOrganisation.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(
          Volunteer_V1_CreateOrganisationRequest.with {
            $0.id = "branch-\(t.unique)"
            $0.parentID = t.organisation
            $0.kind = .grassroots
            $0.name = "Branch \(t.unique)"
            $0.regionCode = t.organisation == "chaoyang" ? "110105" : "110108"
          })
      }),
      O.GetOrganisation.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_GetOrganisationRequest.with { $0.id = t.organisation })
      }),
      O.ListChildren.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_ListChildrenRequest.with { $0.id = t.organisation })
      }),
      O.GetSubtree.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_GetSubtreeRequest.with { $0.id = t.organisation })
      }),
      A.CreateActivity.descriptor.fullyQualifiedMethod: Call(request: { t in
        var request = ScopeMatrixTests.activity(organisation: t.organisation)
        request.idempotencyKey = "act-\(t.unique)"
        return try bytes(request)
      }),
      A.PublishActivity.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_ActivityRef.with { $0.id = t.activity })
      }),
      A.CloseActivity.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_ActivityRef.with { $0.id = t.activity })
      }),
      A.GetActivity.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_ActivityRef.with { $0.id = t.activity })
      }),
      A.ListActivities.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_ListActivitiesRequest.with { $0.organisationID = t.organisation })
      }),
      R.LogHours.descriptor.fullyQualifiedMethod: Call(request: { t in try bytes(log(t)) }),
      R.UploadHours.descriptor.fullyQualifiedMethod: Call(
        request: { t in try bytes(log(t, day: 3)) }, isClientStreaming: true,
        itemCodes: uploadCodes),
      R.ApproveRecords.descriptor.fullyQualifiedMethod: Call(
        request: { t in
          try bytes(Volunteer_V1_ReviewRecordsRequest.with { $0.recordIds = [t.pendingRecord] })
        }, itemCodes: reviewCodes),
      R.RejectRecords.descriptor.fullyQualifiedMethod: Call(
        request: { t in
          try bytes(
            Volunteer_V1_ReviewRecordsRequest.with {
              $0.recordIds = [t.pendingRecord]
              $0.reason = "no sign-in sheet"
            })
        }, itemCodes: reviewCodes),
      R.ListRecords.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_ListRecordsRequest.with { $0.volunteerNumber = t.volunteer })
      }),
      R.CorrectRecord.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(
          Volunteer_V1_CorrectRecordRequest.with {
            $0.idempotencyKey = "fix-\(t.unique)"
            $0.recordID = t.approvedRecord
            $0.kind = .adjustment
            $0.adjustmentMinutes = -15
            $0.reason = "left early"
          })
      }),
      S.GetStatistics.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_GetStatisticsRequest.with { $0.organisationID = t.organisation })
      }),
      G.RecordTraining.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(
          Volunteer_V1_RecordTrainingRequest.with {
            $0.idempotencyKey = "train-\(t.unique)"
            $0.volunteerNumber = t.volunteer
            $0.organisationID = t.organisation
            $0.title = "First aid"
            $0.startTime = LedgerEndToEndTests.at(day: 4, hour: 9)
            $0.endTime = LedgerEndToEndTests.at(day: 4, hour: 11)
          })
      }),
      G.RecordAward.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(
          Volunteer_V1_RecordAwardRequest.with {
            $0.idempotencyKey = "award-\(t.unique)"
            $0.volunteerNumber = t.volunteer
            $0.organisationID = t.organisation
            $0.title = "Outstanding volunteer"
            $0.level = "county"
            $0.awardedOn = .with {
              $0.year = 2026
              $0.month = 11
              $0.day = 6
            }
          })
      }),
      G.ListRecognition.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_ListRecognitionRequest.with { $0.volunteerNumber = t.volunteer })
      }),
      E.Evaluate.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_EvaluateRequest.with { $0.volunteerNumber = t.volunteer })
      }),
      E.ListPolicies.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_ListPoliciesRequest()) }, isScoped: false),
      E.GetPolicy.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_GetPolicyRequest.with { $0.id = "beijing" }) },
        isScoped: false),
      E.LoadPolicy.descriptor.fullyQualifiedMethod: Call(
        request: { t in
          var document = try String(contentsOfFile: repositoryPath("Policies/beijing.json"), encoding: .utf8)
          document = document.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2")
          return try bytes(Volunteer_V1_LoadPolicyRequest.with { $0.documentJson = document })
        }, isScoped: false, rootOnly: true),
      C.IssueCredential.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(
          Volunteer_V1_IssueCredentialRequest.with {
            $0.idempotencyKey = "cred-\(t.unique)"
            $0.volunteerNumber = t.volunteer
          })
      }),
      C.GetCredential.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(Volunteer_V1_GetCredentialRequest.with { $0.number = t.credential })
      }),
      // Verification checks a token anyone may present: no scope to be outside of.
      C.VerifyCredential.descriptor.fullyQualifiedMethod: Call(
        request: { t in try bytes(Volunteer_V1_VerifyCredentialRequest.with { $0.token = t.token }) },
        isScoped: false),
      C.SetCredentialStatus.descriptor.fullyQualifiedMethod: Call(request: { t in
        try bytes(
          Volunteer_V1_SetCredentialStatusRequest.with {
            $0.number = t.credential
            $0.status = .suspended
            $0.reason = "audit"
          })
      }),
      C.ExportEvidence.descriptor.fullyQualifiedMethod: Call(
        request: { t in try bytes(Volunteer_V1_GetCredentialRequest.with { $0.number = t.credential }) },
        isServerStreaming: true),
      C.ExportCredentials.descriptor.fullyQualifiedMethod: Call(
        request: { t in
          try bytes(Volunteer_V1_ExportCredentialsRequest.with { $0.organisationID = t.organisation })
        }, isServerStreaming: true),
      C.GetKeySet.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_GetKeySetRequest()) }, isScoped: false),
      C.GetStatusList.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_GetStatusListRequest.with { $0.purpose = "revocation" }) },
        isScoped: false),
      C.RotateKey.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_RotateKeyRequest()) }, isScoped: false, rootOnly: true),
      C.RetireKey.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_KeyRequest.with { $0.kid = "any" }) }, isScoped: false,
        rootOnly: true),
      C.MarkKeyCompromised.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_KeyRequest.with { $0.kid = "any" }) }, isScoped: false,
        rootOnly: true),
      // The audit log spans every organisation: root-scoped callers only.
      L.VerifyAudit.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_VerifyAuditRequest()) }, isScoped: false, rootOnly: true),
      L.GetAuditHead.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_GetAuditHeadRequest()) }, isScoped: false, rootOnly: true),
      L.CreateCheckpoint.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_CreateCheckpointRequest()) }, isScoped: false, rootOnly: true),
      L.ExportAudit.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_ExportAuditRequest()) }, isScoped: false, rootOnly: true,
        isServerStreaming: true),
      // A backup holds every organisation: root-scoped admins only.
      Volunteer_V1_Operations.Method.Backup.descriptor.fullyQualifiedMethod: Call(
        request: { _ in try bytes(Volunteer_V1_BackupRequest()) }, isScoped: false, rootOnly: true,
        isServerStreaming: true),
    ]
  }()

  /// A distinct valid resident ID per call: Chaoyang, born 1980 + n days.
  static func nextDocument() -> String {
    let n = documentCounter.withLock { counter in
      counter += 1
      return counter
    }
    let birth = Calendar(identifier: .gregorian).date(
      byAdding: .day, value: n, to: Date(timeIntervalSince1970: 315_532_800))!
    let parts = Calendar(identifier: .gregorian).dateComponents(
      in: TimeZone(identifier: "UTC")!, from: birth)
    let body = String(
      format: "110105%04d%02d%02d%03d", parts.year!, parts.month!, parts.day!, 100 + n % 800)
    return ServiceEndToEndTests.withCheckCharacter(body)
  }
  private static let documentCounter = Mutex(0)

  static func activity(organisation: String) -> Volunteer_V1_CreateActivityRequest {
    .with {
      $0.organisationID = organisation
      $0.title = "Community library"
      $0.category = .communityService
      $0.regionCode = organisation == "haidian" ? "110108" : "110105"
      $0.startTime = LedgerEndToEndTests.at(day: 0, hour: 0)
      $0.endTime = LedgerEndToEndTests.at(day: 7, hour: 0)
      $0.plannedMinutes = 180
      $0.personInCharge = "王老师"
    }
  }

  /// The principals under test: one per role, each scoped to `chaoyang`.
  static let scopedCertificates: [(certificate: String, id: String, role: Volunteer_V1_Role)] = [
    ("chaoyang-admin", "spiffe://volunteer/admin/chaoyang-admin", .admin),
    ("partner", "spiffe://volunteer/partner/dev-partner", .partner),
    ("auditor", "spiffe://volunteer/auditor/dev-auditor", .auditor),
  ]

  @Test("every method × role × inside/outside the scope")
  func matrix() async throws {
    try TestPKI.addClient(name: "chaoyang-admin", uri: "spiffe://volunteer/admin/chaoyang-admin")
    let methods = OrganisationAndAccessTests.allMethods
    #expect(Set(Self.calls.keys) == Set(methods.map(\.fullyQualifiedMethod)), "a method has no row")
    var cells = 0
    try await withRunningService { port, dataDirectory in
      let database = try DatabaseQueue(
        path: dataDirectory + "/volunteer.sqlite",
        configuration: { var c = Configuration(); c.readonly = true; return c }())
      try await withClient(port: port, certificate: "admin") { admin in
        try await Self.makeTree(admin)
        for (_, id, role) in Self.scopedCertificates {
          _ = try await Volunteer_V1_Principals.Client(wrapping: admin).addPrincipal(
            .with {
              $0.id = id
              $0.role = role
              $0.scopeOrganisationID = "chaoyang"
            })
        }
        for (certificate, _, protoRole) in Self.scopedCertificates {
          let role = try Role(proto: protoRole)
          try await withClient(port: port, certificate: certificate) { caller in
            for method in methods {
              guard let call = Self.calls[method.fullyQualifiedMethod] else { continue }
              let allowed = MethodPolicy.roles(allowedToCall: method).contains(role)
              let cell = "\(certificate) → \(method.fullyQualifiedMethod)"
              let unique = "c\(cells)"
              cells += 1
              let inside = try await Self.makeTargets(admin, organisation: "chaoyang", unique: unique + "i")
              let outside = try await Self.makeTargets(admin, organisation: "haidian", unique: unique + "o")
              for (side, targets) in [("inside", inside), ("outside", outside)] {
                if side == "outside" && !call.isScoped { continue }
                let before = try Self.fingerprint(database)
                let outcome = try await Self.invoke(call, method: method, targets: targets, on: caller)
                let after = try Self.fingerprint(database)
                switch (allowed, side) {
                case (false, _):
                  #expect(outcome.code == .permissionDenied, "\(cell) \(side): \(outcome)")
                  #expect(before == after, "\(cell) \(side) wrote to the database")
                case (true, "inside") where call.rootOnly:
                  #expect(outcome.code == .permissionDenied, "\(cell) inside: \(outcome)")
                  #expect(before == after, "\(cell) inside wrote to the database")
                case (true, "inside"):
                  #expect(outcome.code == nil, "\(cell) inside: \(outcome)")
                  #expect(outcome.itemCodes.allSatisfy { $0 == 0 }, "\(cell) inside: \(outcome)")
                default:
                  let notFound = UInt32(RPCError.Code.notFound.rawValue)
                  let denied = UInt32(RPCError.Code.permissionDenied.rawValue)
                  let refused =
                    outcome.code == .notFound || outcome.code == .permissionDenied
                    || (outcome.code == nil && !outcome.itemCodes.isEmpty
                      && outcome.itemCodes.allSatisfy { $0 == notFound || $0 == denied })
                  #expect(refused, "\(cell) outside: \(outcome)")
                  #expect(before == after, "\(cell) outside wrote to the database")
                }
              }
            }
          }
        }
      }
    }
    #expect(cells == OrganisationAndAccessTests.allMethods.count * 3)
  }

  @Test("a scoped admin lists only the principals of its subtree")
  func scopedPrincipalList() async throws {
    try TestPKI.addClient(name: "chaoyang-admin", uri: "spiffe://volunteer/admin/chaoyang-admin")
    try await withRunningService { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        try await Self.makeTree(admin)
        for (id, scope) in [
          ("spiffe://volunteer/admin/chaoyang-admin", "chaoyang"),
          ("spiffe://volunteer/partner/h", "haidian"), ("spiffe://volunteer/partner/c", "chaoyang"),
        ] {
          _ = try await Volunteer_V1_Principals.Client(wrapping: admin).addPrincipal(
            .with {
              $0.id = id
              $0.role = id.contains("/admin/") ? .admin : .partner
              $0.scopeOrganisationID = scope
            })
        }
      }
      try await withClient(port: port, certificate: "chaoyang-admin") { scoped in
        let listed = try await Volunteer_V1_Principals.Client(wrapping: scoped).listPrincipals(.init())
        #expect(
          Set(listed.principals.map(\.id))
            == ["spiffe://volunteer/admin/chaoyang-admin", "spiffe://volunteer/partner/c"])
      }
    }
  }

  // MARK: Fixtures

  /// national → beijing → chaoyang (→ chaoyang-branch) and haidian.
  static func makeTree(_ admin: GRPCClient<WireClientTransport>) async throws {
    let organisations = Volunteer_V1_Organisations.Client(wrapping: admin)
    for (id, parent, kind, region) in [
      ("beijing", "national", Volunteer_V1_OrganisationKind.province, "110000"),
      ("chaoyang", "beijing", .county, "110105"), ("haidian", "beijing", .county, "110108"),
      ("chaoyang-branch", "chaoyang", .grassroots, "110105"),
    ] {
      _ = try await organisations.createOrganisation(
        .with {
          $0.id = id
          $0.parentID = parent
          $0.kind = kind
          $0.name = id
          $0.regionCode = region
        })
    }
  }

  /// Fresh targets in `organisation`, made by the bootstrap admin.
  static func makeTargets(
    _ admin: GRPCClient<WireClientTransport>, organisation: String, unique: String
  ) async throws -> Targets {
    var registration = ServiceEndToEndTests.registration(
      key: "fx-\(unique)", document: Self.nextDocument())
    registration.organisationID = organisation
    let volunteer = try await Volunteer_V1_Volunteers.Client(wrapping: admin)
      .registerVolunteer(registration).volunteer.volunteerNumber
    let activities = Volunteer_V1_Activities.Client(wrapping: admin)
    var request = Self.activity(organisation: organisation)
    request.idempotencyKey = "fx-act-\(unique)"
    let activity = try await activities.createActivity(request).id
    _ = try await activities.publishActivity(.with { $0.id = activity })
    let hours = Volunteer_V1_Hours.Client(wrapping: admin)
    let pending = try await hours.logHours(
      LedgerEndToEndTests.log(key: "fx-p-\(unique)", volunteer: volunteer, activity: activity, day: 0, from: 9, to: 10)
    ).id
    let approved = try await hours.logHours(
      LedgerEndToEndTests.log(key: "fx-a-\(unique)", volunteer: volunteer, activity: activity, day: 1, from: 9, to: 10)
    ).id
    _ = try await hours.approveRecords(.with { $0.recordIds = [approved] })
    let credential = try await Volunteer_V1_Credentials.Client(wrapping: admin).issueCredential(
      .with {
        $0.idempotencyKey = "fx-cred-\(unique)"
        $0.volunteerNumber = volunteer
      })
    let principal = "spiffe://volunteer/partner/fx-\(unique)"
    _ = try await Volunteer_V1_Principals.Client(wrapping: admin).addPrincipal(
      .with {
        $0.id = principal
        $0.role = .partner
        $0.scopeOrganisationID = organisation
      })
    return Targets(
      organisation: organisation, volunteer: volunteer, activity: activity, pendingRecord: pending,
      approvedRecord: approved, principal: principal, credential: credential.number,
      token: credential.token, transferDestination: "chaoyang-branch",
      unique: unique)
  }

  struct Outcome: CustomStringConvertible {
    var code: RPCError.Code?
    var message = ""
    var itemCodes: [UInt32] = []
    var description: String {
      "\(code.map { "\($0)" } ?? "OK") \(message) items=\(itemCodes)"
    }
  }

  static func invoke(
    _ call: Call, method: MethodDescriptor, targets: Targets, on client: GRPCClient<WireClientTransport>
  ) async throws -> Outcome {
    let request = try call.request(targets)
    do {
      let response: [UInt8]
      if call.isServerStreaming {
        response = try await client.serverStreaming(
          request: ClientRequest(message: request), descriptor: method,
          serializer: RawBytesSerializer(), deserializer: RawBytesSerializer(), options: .defaults
        ) { response in
          var count = 0
          for try await _ in response.messages { count += 1 }
          return [UInt8(min(count, 255))]
        }
      } else if call.isClientStreaming {
        response = try await client.clientStreaming(
          request: StreamingClientRequest(of: [UInt8].self) { try await $0.write(request) },
          descriptor: method, serializer: RawBytesSerializer(), deserializer: RawBytesSerializer(),
          options: .defaults
        ) { try $0.message }
      } else {
        response = try await client.unary(
          request: ClientRequest(message: request), descriptor: method,
          serializer: RawBytesSerializer(), deserializer: RawBytesSerializer(), options: .defaults
        ) { try $0.message }
      }
      return Outcome(itemCodes: try call.itemCodes?(response) ?? [])
    } catch let error as RPCError {
      return Outcome(code: error.code, message: error.message)
    }
  }

  /// A digest of every row of every table: equal digests mean nothing was written.
  static func fingerprint(_ database: DatabaseQueue) throws -> String {
    try database.read { db in
      var hash = SHA256()
      let tables = try String.fetchAll(
        db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      for table in tables {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier)")
        hash.update(data: Data(table.utf8))
        for row in rows.map(\.description).sorted() { hash.update(data: Data(row.utf8)) }
      }
      return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
  }
}
