import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Hours`: the service-hours ledger. Partners log records inside their scope;
/// admins of the organisation running the activity, or of an ancestor, review them.
struct HoursService: Volunteer_V1_Hours.SimpleServiceProtocol {
  /// The most records one upload may carry.
  static let maxUploadRecords = 10_000

  let store: any RecordStore
  let policy: LedgerPolicy

  func logHours(
    request: Volunteer_V1_LogHoursRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ServiceRecord {
    let caller = try Caller.required()
    switch try await self.prepare(request, caller: caller, now: Date()) {
    case .replayed(let record):
      return record.proto
    case .write(let entry):
      return try await withDomainErrors {
        try await self.store.logRecord(entry.makeRecord, idempotency: entry.idempotency).value.proto
      }
    }
  }

  func uploadHours(
    request: RPCAsyncSequence<Volunteer_V1_LogHoursRequest, any Error>, context: ServerContext
  ) async throws -> Volunteer_V1_UploadHoursResponse {
    let caller = try Caller.required()
    var requests: [Volunteer_V1_LogHoursRequest] = []
    for try await record in request {
      guard requests.count < Self.maxUploadRecords else {
        throw RPCError(
          code: .resourceExhausted,
          message: "an upload carries at most \(Self.maxUploadRecords) records; split the batch")
      }
      requests.append(record)
    }
    let now = Date()
    // Everything the checks read comes in one store read; the writes then go in one ordered
    // transaction.
    let claims = requests.map { try? Self.claim(for: $0, caller: caller) }
    let context = try await withDomainErrors {
      try await self.store.ledgerContext(
        claims: claims.compactMap { $0 },
        volunteerNumbers: Set(requests.compactMap { try? VolunteerNumber(validating: $0.volunteerNumber).value }),
        activityIDs: Set(requests.map(\.activityID)), withinScope: caller.scopeOrganisationID)
    }
    var replayed = context.replayed.makeIterator()
    var prepared: [Result<PreparedRecord, RPCError>] = []
    prepared.reserveCapacity(requests.count)
    for (record, claim) in zip(requests, claims) {
      let earlier = claim == nil ? nil : replayed.next()
      let lookup = LedgerLookup(
        replayed: { _ in try earlier?.get() },
        volunteer: { context.volunteers[$0] },
        activity: { context.activities[$0] })
      do {
        prepared.append(.success(try await self.prepare(record, caller: caller, now: now, lookup: lookup)))
      } catch {
        prepared.append(.failure(error))
      }
    }
    let batch = prepared.compactMap { preparation -> NewRecord? in
      if case .success(.write(let entry)) = preparation { entry } else { nil }
    }
    var written = try await self.store.logRecords(batch).makeIterator()

    var response = Volunteer_V1_UploadHoursResponse()
    for (index, (record, preparation)) in zip(requests, prepared).enumerated() {
      var result = Volunteer_V1_UploadResult()
      result.index = UInt32(index)
      result.idempotencyKey = record.idempotencyKey
      let outcome: Result<WriteOutcome<ServiceRecord>, RPCError> =
        switch preparation {
        case .failure(let error): .failure(error)
        case .success(.replayed(let stored)): .success(.replayed(stored))
        case .success(.write):
          (written.next() ?? .failure(RecordStoreError.notFound("no result"))).mapError(Self.rpcError)
        }
      switch outcome {
      case .success(.created(let stored)):
        result.accepted = stored.proto
        response.accepted += 1
      case .success(.replayed(let stored)):
        result.replayed = stored.proto
        response.replayed += 1
      case .failure(let error):
        result.refused = .with {
          $0.code = UInt32(error.code.rawValue)
          $0.message = error.message
        }
        response.refused += 1
      }
      response.results.append(result)
    }
    return response
  }

  func approveRecords(
    request: Volunteer_V1_ReviewRecordsRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ReviewRecordsResponse {
    let caller = try Caller.required()
    let override = try await self.permittedOverride(request.capOverride, caller: caller)
    let note = request.reason.isEmpty ? nil : request.reason
    return try await self.review(request.recordIds, caller: caller) {
      .approve(note: note, override: override)
    }
  }

  func rejectRecords(
    request: Volunteer_V1_ReviewRecordsRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ReviewRecordsResponse {
    let caller = try Caller.required()
    return try await self.review(request.recordIds, caller: caller) { .reject(reason: request.reason) }
  }

  func listRecords(
    request: Volunteer_V1_ListRecordsRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ListRecordsResponse {
    let caller = try Caller.required()
    return try await withDomainErrors {
      let number = try VolunteerNumber(validating: request.volunteerNumber)
      let page = try PageToken.request(
        token: request.pageToken, size: request.pageSize, default: 200, limit: 1_000)
      let status: RecordStatus? =
        switch request.status {
        case .pending: .pending
        case .approved: .approved
        case .rejected: .rejected
        case .unspecified, .UNRECOGNIZED: nil
        }
      guard
        let (records, totals) = try await self.store.records(
          ofVolunteer: number.value, status: status, page: page,
          withinScope: caller.scopeOrganisationID)
      else {
        throw RPCError.notFoundInScope("volunteer \(number)")
      }
      return .with {
        $0.records = records.items.map(\.proto)
        $0.nextPageToken = records.nextAfterSequence.map(PageToken.encode) ?? ""
        $0.approvedMinutes = UInt64(totals.approvedMinutes)
        $0.approvedCreditedHalfHours = UInt64(totals.approvedCreditedHalfHours)
        $0.approvedRecords = UInt32(totals.approvedRecords)
      }
    }
  }

  func correctRecord(
    request: Volunteer_V1_CorrectRecordRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ServiceRecord {
    let caller = try Caller.required()
    return try await withDomainErrors {
      try IdempotencyKey.validate(request.idempotencyKey)
      let correction: RecordCorrection
      switch request.kind {
      case .reversal: correction = .reversal
      case .adjustment: correction = .adjustment(deltaMinutes: Int(request.adjustmentMinutes))
      case .entry, .UNRECOGNIZED:
        throw IdentityValidationError(
          field: "kind", reason: "a correction is RECORD_KIND_REVERSAL or RECORD_KIND_ADJUSTMENT")
      }
      let claim = IdempotencyClaim(
        principalID: caller.id, key: request.idempotencyKey,
        method: Volunteer_V1_Hours.Method.CorrectRecord.descriptor.fullyQualifiedMethod,
        requestDigest: try IdempotencyKey.digest(of: request) { $0.idempotencyKey = "" })
      guard
        let outcome = try await self.store.correctRecord(
          id: request.recordID, correction: correction, reason: request.reason, idempotency: claim,
          by: caller.id, at: Date(), policy: self.policy, withinScope: caller.scopeOrganisationID)
      else {
        throw RPCError.notFoundInScope("record \(request.recordID)")
      }
      return outcome.value.proto
    }
  }

  // MARK: Helpers

  /// What a log request becomes before the write transaction.
  private enum PreparedRecord {
    /// A retry of a record already logged under the same key and content.
    case replayed(ServiceRecord)
    /// A new record to write.
    case write(NewRecord)
  }

  /// Answers a retry from the ledger, or applies every rule that can be checked before the
  /// write transaction and returns the record to write, or the `RPCError` that refuses it.
  /// The idempotency claim a record request makes.
  private static func claim(for request: Volunteer_V1_LogHoursRequest, caller: Principal) throws
    -> IdempotencyClaim
  {
    try IdempotencyKey.validate(request.idempotencyKey)
    return IdempotencyClaim(
      principalID: caller.id, key: request.idempotencyKey,
      method: Volunteer_V1_Hours.Method.LogHours.descriptor.fullyQualifiedMethod,
      requestDigest: try IdempotencyKey.digest(of: request) { $0.idempotencyKey = "" })
  }

  /// Checks one record request, reading through `lookup` (the store for a single record,
  /// a prefetched ``LedgerContext`` for an upload), and says whether to write or replay.
  private func prepare(
    _ request: Volunteer_V1_LogHoursRequest, caller: Principal, now: Date,
    lookup: LedgerLookup? = nil
  ) async throws(RPCError) -> PreparedRecord {
    let store = self.store
    let scope = caller.scopeOrganisationID
    let lookup =
      lookup
      ?? LedgerLookup(
        replayed: { try await store.replayedRecord(for: $0) },
        volunteer: { try await store.volunteer(number: $0, withinScope: scope) },
        activity: { try await store.activity(id: $0, withinScope: scope) })
    do {
      return try await withDomainErrors {
        let claim = try Self.claim(for: request, caller: caller)
        if let replayed = try await lookup.replayed(claim) {
          return .replayed(replayed)
        }
        let number = try VolunteerNumber(validating: request.volunteerNumber)
        guard request.hasStartTime, request.hasEndTime else {
          throw IdentityValidationError(
            field: request.hasStartTime ? "end_time" : "start_time", reason: "required")
        }
        let content = request.content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(content.count) else {
          throw IdentityValidationError(
            field: "content", reason: "what the volunteer did (1-500 characters) is required")
        }
        guard request.travelTimeExcluded else {
          throw IdentityValidationError(
            field: "travel_time_excluded",
            reason: "travel time does not count: declare that start and end exclude it by "
              + "setting travel_time_excluded")
        }
        guard let volunteer = try await lookup.volunteer(number.value) else {
          throw RPCError.notFoundInScope("volunteer \(number)")
        }
        guard volunteer.withdrawnAt == nil else {
          throw RPCError(code: .failedPrecondition, message: "volunteer \(number) has withdrawn")
        }
        guard let activity = try await lookup.activity(request.activityID) else {
          throw RPCError.notFoundInScope("activity \"\(request.activityID)\"", field: "activity_id")
        }
        let draft = try ServiceRecordDraft.validated(
          start: request.startTime.date, end: request.endTime.date, now: now,
          activityStatus: activity.status, activityWindow: activity.window, policy: self.policy)
        return .write(NewRecord(
          makeRecord: { id in
            ServiceRecord(
              id: id, volunteerNumber: number.value, activityID: activity.id,
              organisationID: activity.organisationID, span: draft.span, minutes: draft.minutes,
              creditedHalfHours: draft.creditedHalfHours, content: content, status: .pending,
              isLate: draft.isLate, submittedBy: caller.id, submittedAt: now)
          }, idempotency: claim))
      }
    } catch let error as RPCError {
      throw error
    } catch {
      throw RPCError(code: .internalError, message: "could not check the record: \(error)")
    }
  }

  private func review(
    _ ids: [String], caller: Principal, decision: () -> ReviewDecision
  ) async throws -> Volunteer_V1_ReviewRecordsResponse {
    guard (1...1_000).contains(ids.count) else {
      throw RPCError(code: .invalidArgument, message: "record_ids: 1-1000 record ids, got \(ids.count)")
    }
    let outcomes = try await self.store.reviewRecords(
      ids: ids, decision: decision(), by: caller.id, at: Date(), policy: self.policy,
      withinScope: caller.scopeOrganisationID)
    var response = Volunteer_V1_ReviewRecordsResponse()
    for (id, outcome) in zip(ids, outcomes) {
      var result = Volunteer_V1_ReviewResult()
      result.recordID = id
      let refusal: RPCError
      switch outcome {
      case .success(let record?):
        result.reviewed = record.proto
        response.results.append(result)
        continue
      case .success(nil):
        refusal = RPCError.notFoundInScope("record \(id)")
      case .failure(let error as IdentityValidationError):
        refusal = RPCError(error)
      case .failure(let error as RecordStoreError):
        refusal = RPCError(error)
      case .failure(let error):
        throw error
      }
      result.refused = .with {
        $0.code = UInt32(refusal.code.rawValue)
        $0.message = refusal.message
      }
      response.results.append(result)
    }
    return response
  }

  /// The override the caller may take responsibility for: any reviewing admin for the
  /// verifying organisation, a national or province-level admin for more than the hard cap.
  private func permittedOverride(_ requested: Volunteer_V1_CapOverride, caller: Principal)
    async throws -> CapOverride
  {
    switch requested {
    case .none, .UNRECOGNIZED: return .none
    case .verifyingOrganisation: return .verifyingOrganisation
    case .provinceLevel:
      let scope = try await self.store.organisation(
        id: caller.scopeOrganisationID, withinScope: caller.scopeOrganisationID)
      guard let kind = scope?.kind, kind == .national || kind == .province else {
        throw RPCError(
          code: .permissionDenied,
          message: "cap_override: only a national or province-level admin may approve more than "
            + "\(self.policy.dailyHardCapMinutes / 60) h a day")
      }
      return .provinceLevel
    }
  }

  private static func rpcError(_ error: any Error) -> RPCError {
    switch error {
    case let error as RPCError: error
    case let error as RecordStoreError: RPCError(error)
    case let error as IdentityValidationError: RPCError(error)
    default: RPCError(code: .internalError, message: "\(error)")
    }
  }
}

/// Where checking a record reads the store: directly, or from a prefetched batch context.
struct LedgerLookup: Sendable {
  var replayed: @Sendable (IdempotencyClaim) async throws -> ServiceRecord?
  var volunteer: @Sendable (String) async throws -> VolunteerRecord?
  var activity: @Sendable (String) async throws -> Activity?
}
