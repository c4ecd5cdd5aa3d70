import AuditTrail
import Credentials
import Foundation

/// The one interface between the services and persistence. Every implementation (SQLite
/// now, PostgreSQL for deployments past one machine) enforces the same rules: scopes
/// inside queries, idempotency, uniqueness of identity documents.
///
/// Reads that return records take the caller's scope, so a query cannot forget it.
public protocol RecordStore: Sendable {
  /// A short name of the implementation, e.g. `"sqlite"`.
  var kind: String { get }

  /// Fails when the store cannot serve reads.
  func checkHealth() async throws

  /// Creates the root organisation and the bootstrap admin if they do not exist yet.
  func bootstrap(root: Organisation, admin: Principal) async throws

  /// The principal with this certificate identity, enabled or not.
  func principal(id: String) async throws -> Principal?

  /// Adds a principal. Throws ``RecordStoreError/alreadyExists(_:)`` if the id is taken.
  func addPrincipal(_ principal: Principal) async throws

  /// Principals whose scope lies inside the subtree rooted at `scopeOrganisationID`.
  func principals(withinScope scopeOrganisationID: String) async throws -> [Principal]

  /// Adds `organisation` under its parent, computing its path.
  ///
  /// - Throws: ``RecordStoreError/alreadyExists(_:)`` if the id is taken,
  ///   ``RecordStoreError/notFound(_:)`` if the parent does not exist.
  /// - Returns: the organisation as stored, with its path.
  func addOrganisation(_ organisation: Organisation) async throws -> Organisation

  /// The organisation `id` if it lies inside the subtree rooted at `scopeOrganisationID`.
  func organisation(id: String, withinScope scopeOrganisationID: String) async throws
    -> Organisation?

  /// The direct children of `id`, if `id` lies inside the scope; `nil` otherwise.
  func children(of id: String, withinScope scopeOrganisationID: String) async throws
    -> [Organisation]?

  /// The subtree rooted at `id` (parents before children), if `id` lies inside the scope.
  func subtree(of id: String, withinScope scopeOrganisationID: String) async throws
    -> [Organisation]?

  /// Enables or disables the principal `id` if its scope lies inside `scopeOrganisationID`.
  ///
  /// - Returns: the updated principal, or `nil` when it does not exist or is outside the scope.
  func setPrincipalEnabled(
    id: String, enabled: Bool, withinScope scopeOrganisationID: String
  ) async throws -> Principal?

  /// Stores a new volunteer under an idempotency key, assigning its volunteer number.
  ///
  /// - Returns: `.created` with the new record, or `.replayed` with the record created
  ///   earlier under the same key and the same request digest.
  /// - Throws: ``RecordStoreError/idempotencyConflict(key:)`` when the key was used with
  ///   other content; ``RecordStoreError/duplicateDocument(existingNumber:)`` when the
  ///   document is already registered.
  func registerVolunteer(_ volunteer: NewVolunteer, idempotency: IdempotencyClaim) async throws
    -> WriteOutcome<VolunteerRecord>

  /// A page of the volunteers registered under `query.organisationID`'s subtree, or `nil`
  /// when that organisation does not lie inside the scope.
  func volunteers(matching query: VolunteerQuery, withinScope scopeOrganisationID: String)
    async throws -> VolunteerPage?

  /// Moves volunteer `number` to `organisationID`, recording the move.
  ///
  /// - Returns: the updated record, or `nil` when the volunteer or the target organisation
  ///   does not lie inside the scope.
  /// - Throws: ``RecordStoreError/failedPrecondition(_:)`` for a withdrawn volunteer or a move
  ///   to the organisation it is already in.
  func transferVolunteer(
    number: String, to organisationID: String, reason: String, by principalID: String,
    at date: Date, withinScope scopeOrganisationID: String
  ) async throws -> VolunteerRecord?

  /// Pseudonymises volunteer `number`: name, document, phone and guardian details become
  /// unreadable; the number, the ledger and the history stay.
  ///
  /// - Returns: the updated record, or `nil` when the volunteer is not inside the scope.
  func withdrawVolunteer(number: String, at date: Date, withinScope scopeOrganisationID: String)
    async throws -> VolunteerRecord?

  /// Up to `limit` volunteers registered after `afterSequence` with sealed personal data
  /// (withdrawn ones have none), in registration order: the pages a key rotation re-seals.
  func sealedPersonalData(afterSequence: Int, limit: Int) async throws -> [SealedPersonalData]

  /// Replaces sealed values and keyed hashes in one transaction. Each pair applies only if
  /// the row still holds `previous`'s sealed document, so a withdrawal or another rotation
  /// in between is never undone.
  ///
  /// - Returns: how many rows changed.
  func replaceSealedPersonalData(_ changes: [(previous: SealedPersonalData, next: SealedPersonalData)])
    async throws -> Int

  // MARK: Activities and the hours ledger

  /// Stores a new activity (its id assigned here) under an idempotency key.
  func addActivity(_ makeActivity: @escaping @Sendable (_ id: String) -> Activity, idempotency: IdempotencyClaim)
    async throws -> WriteOutcome<Activity>

  /// The activity `id` if its organisation lies inside the scope.
  func activity(id: String, withinScope scopeOrganisationID: String) async throws -> Activity?

  /// Moves activity `id` to `status` under the activity lifecycle rules.
  ///
  /// - Returns: the updated activity, or `nil` when it is not inside the scope.
  /// - Throws: `IdentityValidationError` for a transition the lifecycle does not allow.
  func setActivityStatus(id: String, to status: ActivityStatus, withinScope scopeOrganisationID: String)
    async throws -> Activity?

  /// A page of the activities of the subtree rooted at `organisationID` overlapping
  /// [from, before), in creation order, or `nil` when that organisation is not inside the
  /// scope.
  func activities(
    inSubtreeOf organisationID: String, from: Date?, before: Date?, page: PageRequest,
    withinScope scopeOrganisationID: String
  ) async throws -> Page<Activity>?

  /// Logs a pending record (its id assigned here) under an idempotency key, refusing it
  /// when it overlaps a pending or approved record of the same volunteer.
  func logRecord(_ makeRecord: @escaping @Sendable (_ id: String) -> ServiceRecord, idempotency: IdempotencyClaim)
    async throws -> WriteOutcome<ServiceRecord>

  /// The record already logged under `claim` (same key, same content), or `nil` for a first
  /// use of the key. Retries are answered from here before any check that depends on state
  /// that may have changed since (a withdrawal, a closed activity).
  ///
  /// - Throws: ``RecordStoreError/idempotencyConflict(key:)`` for the same key with other content.
  func replayedRecord(for claim: IdempotencyClaim) async throws -> ServiceRecord?

  /// Logs a batch in one transaction, in order, each record on its own: the result at each
  /// position is that record's outcome or the error that refused it alone.
  func logRecords(_ batch: [NewRecord]) async throws -> [Result<WriteOutcome<ServiceRecord>, any Error>]

  /// Applies a review decision to each record of `ids`, in order, in one transaction with a
  /// savepoint per record: an approval also checks the daily cap (seeing the approvals before
  /// it in the list) and updates the volunteer's totals and credit in the same transaction.
  ///
  /// - Returns: per id, the reviewed record, `nil` when it is not inside the scope, or the
  ///   error that refused that record alone.
  func reviewRecords(
    ids: [String], decision: ReviewDecision, by principalID: String, at date: Date,
    policy: LedgerPolicy, withinScope scopeOrganisationID: String
  ) async throws -> [Result<ServiceRecord?, any Error>]

  /// Stores an approved correction of record `id` (a reversal or an adjustment) that
  /// references it, updating the volunteer's totals in the same transaction.
  ///
  /// - Returns: the correction entry, or `nil` when `id` is not inside the scope.
  func correctRecord(
    id: String, correction: RecordCorrection, reason: String, idempotency: IdempotencyClaim,
    by principalID: String, at date: Date, policy: LedgerPolicy,
    withinScope scopeOrganisationID: String
  ) async throws -> WriteOutcome<ServiceRecord>?

  /// Statistics of the subtree rooted at `organisationID`, from the ledger, or `nil` when
  /// that organisation is not inside the scope.
  func statistics(
    of organisationID: String, from: Date?, before: Date, starThresholdsHours: [Int],
    withinScope scopeOrganisationID: String
  ) async throws -> OrganisationStatistics?

  /// Records training under an idempotency key (its id assigned here).
  func recordTraining(_ makeRecord: @escaping @Sendable (_ id: String) -> TrainingRecord, idempotency: IdempotencyClaim)
    async throws -> WriteOutcome<TrainingRecord>

  /// Records an award under an idempotency key (its id assigned here).
  func recordAward(_ makeRecord: @escaping @Sendable (_ id: String) -> AwardRecord, idempotency: IdempotencyClaim)
    async throws -> WriteOutcome<AwardRecord>

  /// Training and awards of a volunteer inside the scope, or `nil` when the volunteer is not.
  func recognition(ofVolunteer number: String, withinScope scopeOrganisationID: String) async throws
    -> (training: [TrainingRecord], awards: [AwardRecord])?

  /// A page of a volunteer's records (all statuses when `status` is `nil`), in the order
  /// they were logged, with the volunteer's approved totals, or `nil` when the volunteer is
  /// not inside the scope.
  func records(
    ofVolunteer number: String, status: RecordStatus?, page: PageRequest,
    withinScope scopeOrganisationID: String
  ) async throws -> (records: Page<ServiceRecord>, totals: VolunteerTotals)?

  /// The volunteer with this number if its organisation lies inside the scope.
  func volunteer(number: String, withinScope scopeOrganisationID: String) async throws
    -> VolunteerRecord?

  /// Everything checking a batch of records reads, in one read: each claim's earlier result
  /// (aligned with `claims`; a failure for a key reused with other content), and the
  /// volunteers and activities named that lie inside the scope.
  func ledgerContext(
    claims: [IdempotencyClaim], volunteerNumbers: Set<String>, activityIDs: Set<String>,
    withinScope scopeOrganisationID: String
  ) async throws -> LedgerContext

  // MARK: Evaluations

  /// The volunteer and the approved credit up to and including `asOf` (lifetime, and over
  /// the 12 months ending then), from the credit buckets; `nil` outside the scope.
  func creditSummary(
    ofVolunteer number: String, asOf: CalendarDate, withinScope scopeOrganisationID: String
  ) async throws -> (volunteer: VolunteerRecord, summary: CreditSummary)?

  // MARK: Credentials

  /// Stores a new credential built by `make` from the number and the status list positions
  /// the store allocates (random unused positions below `listSize`), under an idempotency
  /// claim: a retry returns the credential issued first.
  func issueCredential(
    idempotency: IdempotencyClaim, listSize: Int,
    make: @escaping @Sendable (_ number: String, _ revocationIndex: Int, _ suspensionIndex: Int) throws
      -> IssuedCredential
  ) async throws -> WriteOutcome<IssuedCredential>

  /// The credential with this number if its organisation lies inside the scope.
  func credential(number: String, withinScope scopeOrganisationID: String) async throws
    -> IssuedCredential?

  /// Moves a credential to `state` (see ``CredentialState/transition(to:)``), keeping who,
  /// when and why; `nil` when it is not inside the scope.
  func setCredentialState(
    number: String, to state: CredentialState, reason: String, by principalID: String,
    at date: Date, withinScope scopeOrganisationID: String
  ) async throws -> IssuedCredential?

  /// The status list positions to set: revocation positions of revoked credentials for
  /// `.revoked`, suspension positions of suspended ones for `.suspended`.
  func statusListPositions(of state: CredentialState) async throws -> [Int]

  /// A page of the credentials matching `filter`, in issue order, or `nil` when its
  /// organisation is not inside the scope.
  func credentials(
    matching filter: CredentialFilter, page: PageRequest, withinScope scopeOrganisationID: String
  ) async throws -> Page<IssuedCredential>?

  /// How many credentials match `filter` (its organisation already checked in scope).
  func countCredentials(matching filter: CredentialFilter) async throws -> Int

  /// The approved service records a credential of the volunteer counts: each entry not
  /// reversed, with its minutes net of adjustments (never below zero).
  func evidenceRecords(ofVolunteer number: String) async throws -> [(recordID: String, minutes: Int)]

  /// Stores a policy version. The same document again is `.replayed`; a version at or below
  /// the newest stored one of the same id is `RecordStoreError.failedPrecondition`.
  func storePolicy(_ policy: StoredPolicy) async throws -> WriteOutcome<StoredPolicy>

  /// Every stored policy version, by id, newest version first.
  func policies() async throws -> [StoredPolicy]

  /// One version of a policy, or its newest when `version` is `nil`.
  func policy(id: String, version: Int?) async throws -> StoredPolicy?

  // MARK: Audit log
  //
  // Every write appends one entry to a hash chain in the same transaction, with the
  // principal and method of ``AuditContext/current`` at the time it was submitted.

  /// The chain's length and last hash.
  func auditHead() async throws -> AuditHead

  /// Writes a consistent snapshot of the whole store to `path` (a new file) while the store
  /// keeps serving, checks it, and says what it holds.
  ///
  /// - Throws: ``RecordStoreError/failedPrecondition(_:)`` when `path` exists or when the
  ///   store has its own backup tool (PostgreSQL: pg_dump).
  func backup(to path: String) async throws -> StoreBackup

  /// Verifies, in one consistent snapshot, the chain link by link, every stored checkpoint
  /// against `keySet`, and every row of every audited table against the state its latest
  /// entry recorded.
  func verifyAudit(keySet: JWKSet) async throws -> AuditReport

  /// Signs a checkpoint of the current head with `key` and stores it; when the head is
  /// already checkpointed, returns that checkpoint; `nil` when the chain is empty.
  func checkpointAudit(key: Ed25519SigningKey, at date: Date) async throws -> AuditCheckpoint?

  /// Entries `first...last` in order, at most `limit` of them.
  func auditEntries(from first: Int64, through last: Int64, limit: Int) async throws -> [AuditEntry]

  /// Every stored checkpoint, oldest first.
  func auditCheckpoints() async throws -> [AuditCheckpoint]
}

/// What a batch of records needs from the store to be checked; see
/// ``RecordStore/ledgerContext(claims:volunteerNumbers:activityIDs:withinScope:)``.
public struct LedgerContext: Sendable {
  /// Per claim: the record an earlier request with the same key logged, `nil` for a new key,
  /// or the conflict error for a key reused with other content.
  public var replayed: [Result<ServiceRecord?, RecordStoreError>]
  /// The volunteers found inside the scope, by number.
  public var volunteers: [String: VolunteerRecord]
  /// The activities found inside the scope, by id.
  public var activities: [String: Activity]

  /// Creates a context.
  public init(
    replayed: [Result<ServiceRecord?, RecordStoreError>], volunteers: [String: VolunteerRecord],
    activities: [String: Activity]
  ) {
    self.replayed = replayed
    self.volunteers = volunteers
    self.activities = activities
  }
}

/// A policy version as stored: the validated policy and who loaded it when.
public struct StoredPolicy: Sendable, Hashable {
  public var policy: EvaluationPolicy
  public var loadedAt: Date
  public var loadedBy: String

  /// Creates a stored policy.
  public init(policy: EvaluationPolicy, loadedAt: Date, loadedBy: String) {
    self.policy = policy
    self.loadedAt = loadedAt
    self.loadedBy = loadedBy
  }
}

/// A volunteer to store: everything but the number the store assigns.
public struct NewVolunteer: Sendable {
  /// Builds the record the store completes with a number.
  public var makeRecord: @Sendable (_ number: String) -> VolunteerRecord
  /// The document's keyed hash under older personal-data keys, which rows not yet re-hashed
  /// by an unfinished key rotation carry: a match on any of them is a duplicate too.
  public var olderDocumentHashes: [String]

  /// Creates a new volunteer from a record builder.
  public init(
    olderDocumentHashes: [String] = [],
    makeRecord: @escaping @Sendable (_ number: String) -> VolunteerRecord
  ) {
    self.olderDocumentHashes = olderDocumentHashes
    self.makeRecord = makeRecord
  }
}

/// A partner's idempotency key for one write, with the digest of the request it carried.
public struct IdempotencyClaim: Sendable, Hashable {
  /// Keys are per principal: two partners may use the same key independently.
  public var principalID: String
  public var key: String
  /// The method the key was used with.
  public var method: String
  /// SHA-256 of the request without its key: "same content" means the same digest.
  public var requestDigest: [UInt8]

  /// Creates a claim.
  public init(principalID: String, key: String, method: String, requestDigest: [UInt8]) {
    self.principalID = principalID
    self.key = key
    self.method = method
    self.requestDigest = requestDigest
  }
}

/// The result of an idempotent write.
public enum WriteOutcome<Value: Sendable>: Sendable {
  /// The write happened now.
  case created(Value)
  /// A retry: the value written earlier under the same key and content.
  case replayed(Value)

  /// The value, whether just written or replayed.
  public var value: Value {
    switch self {
    case .created(let value), .replayed(let value): value
    }
  }
}

/// Rule violations a store reports. Services map them to status codes in one place.
public enum RecordStoreError: Error, Equatable, Sendable {
  case alreadyExists(String)
  case notFound(String)
  case idempotencyConflict(key: String)
  case duplicateDocument(existingNumber: String)
  case failedPrecondition(String)
}

/// A record to log in a batch: its builder (given the id the store assigns) and its claim.
public struct NewRecord: Sendable {
  public var makeRecord: @Sendable (_ id: String) -> ServiceRecord
  public var idempotency: IdempotencyClaim

  /// Creates a batch entry.
  public init(makeRecord: @escaping @Sendable (_ id: String) -> ServiceRecord, idempotency: IdempotencyClaim) {
    self.makeRecord = makeRecord
    self.idempotency = idempotency
  }
}
