import Foundation
import PostgresNIO

// Idempotency and row mapping of the PostgreSQL store: the same shapes as the SQLite store's,
// on PostgresSession.
extension PostgresRecordStore {
  /// The result id recorded for a retried claim, `nil` for a first use of the key.
  ///
  /// - Throws: ``RecordStoreError/idempotencyConflict(key:)`` for the key used with other
  ///   content or another method.
  static func replayedResult(_ session: PostgresSession, claim: IdempotencyClaim) async throws -> String? {
    guard
      let row = try await session.one(
        """
        SELECT method, request_digest, result_id FROM idempotency_key
        WHERE principal_id = \(claim.principalID) AND key = \(claim.key)
        """)
    else { return nil }
    let method: String = try row.get("method")
    let digest: Data = try row.get("request_digest")
    guard method == claim.method, [UInt8](digest) == claim.requestDigest else {
      throw RecordStoreError.idempotencyConflict(key: claim.key)
    }
    return try row.get("result_id")
  }

  static func recordClaim(_ session: PostgresSession, _ claim: IdempotencyClaim, resultID: String) async throws {
    try await session.execute(
      """
      INSERT INTO idempotency_key (principal_id, key, method, request_digest, result_id, created_at)
      VALUES (\(claim.principalID), \(claim.key), \(claim.method), \(Data(claim.requestDigest)),
        \(resultID), \(Date().storedPrecision))
      """)
  }

  /// The shape of every idempotent insert: a retry with the same key and content returns
  /// what the first call stored; a first use takes the next sequence number of `table`
  /// (gapless: the write lock is held, and the primary key refuses a duplicate anyway),
  /// inserts, and records the claim, all in the caller's transaction.
  static func idempotentInsert<Value>(
    _ session: PostgresSession, claim: IdempotencyClaim, table: String,
    fetch: (PostgresSession, String) async throws -> Value?,
    insert: (_ sequence: Int) async throws -> (id: String, value: Value)
  ) async throws -> WriteOutcome<Value> {
    if let id = try await Self.replayedResult(session, claim: claim) {
      guard let value = try await fetch(session, id) else {
        throw RecordStoreError.notFound("\(id), recorded for the idempotency key, is gone")
      }
      return .replayed(value)
    }
    let sequence =
      (try await session.scalar(PostgresQuery(unsafeSQL: "SELECT MAX(seq) FROM \(table)"), as: Int?.self) ?? nil)
      ?? 0
    let (id, value) = try await insert(sequence + 1)
    try await Self.recordClaim(session, claim, resultID: id)
    return .created(value)
  }

  static func insert(_ principal: Principal, _ session: PostgresSession) async throws {
    try await session.execute(
      """
      INSERT INTO principal (id, role, scope_organisation_id, display_name, enabled, created_at, created_by)
      VALUES (\(principal.id), \(principal.role.rawValue), \(principal.scopeOrganisationID),
        \(principal.displayName), \(principal.isEnabled), \(principal.createdAt.storedPrecision),
        \(principal.createdBy))
      """)
  }

  static func fetchPrincipal(_ session: PostgresSession, id: String) async throws -> Principal? {
    try await session.one("SELECT * FROM principal WHERE id = \(id)").flatMap(Self.principal(from:))
  }

  static func principal(from row: PostgresRandomAccessRow) throws -> Principal? {
    guard let role = Role(rawValue: try row.get("role")) else { return nil }
    return Principal(
      id: try row.get("id"), role: role, scopeOrganisationID: try row.get("scope_organisation_id"),
      displayName: try row.get("display_name"), isEnabled: try row.get("enabled"),
      createdAt: try row.date("created_at"), createdBy: try row.get("created_by"))
  }

  static func fetchOrganisation(_ session: PostgresSession, id: String) async throws -> Organisation? {
    try await session.one("SELECT * FROM organisation WHERE id = \(id)").flatMap(Self.organisation(from:))
  }

  static func organisation(from row: PostgresRandomAccessRow) throws -> Organisation? {
    guard let kind = Organisation.Kind(rawValue: try row.get("kind")) else { return nil }
    return Organisation(
      id: try row.get("id"), parentID: try row.get("parent_id"), kind: kind, name: try row.get("name"),
      regionCode: try row.get("region_code"), path: try row.get("path"),
      createdAt: try row.date("created_at"))
  }

  static func fetchVolunteer(_ session: PostgresSession, _ number: String) async throws -> VolunteerRecord? {
    guard let row = try await session.one("SELECT * FROM volunteer WHERE number = \(number)") else {
      return nil
    }
    return try await Self.volunteer(from: row, session)
  }

  static func encodeSkills(_ skills: [String]) throws -> String {
    String(decoding: try JSONEncoder().encode(skills), as: UTF8.self)
  }

  static func volunteer(from row: PostgresRandomAccessRow, _ session: PostgresSession) async throws
    -> VolunteerRecord?
  {
    guard let documentType = DocumentType(rawValue: try row.get("document_type")),
      let sex = Sex(rawValue: try row.get("sex")),
      let birthDate = CalendarDate(iso8601: try row.get("birth_date"))
    else { return nil }
    var consent: GuardianConsent?
    if let name = try row.get("guardian_name", as: String?.self),
      let relation = try row.get("guardian_relation", as: String?.self),
      let dateText = try row.get("guardian_consent_date", as: String?.self),
      let date = CalendarDate(iso8601: dateText)
    {
      consent = GuardianConsent(guardianName: name, relation: relation, consentDate: date)
    }
    let number: String = try row.get("number")
    let transfers = try await session.rows(
      "SELECT * FROM volunteer_transfer WHERE volunteer_number = \(number) ORDER BY id"
    ).map { transfer in
      VolunteerTransfer(
        fromOrganisationID: try transfer.get("from_organisation_id"),
        toOrganisationID: try transfer.get("to_organisation_id"),
        transferredAt: try transfer.date("transferred_at"), transferredBy: try transfer.get("transferred_by"),
        reason: try transfer.get("reason"))
    }
    var record = VolunteerRecord(
      number: number, realName: try row.get("real_name"), documentType: documentType,
      sealedDocumentNumber: [UInt8](try row.get("document_sealed", as: Data.self)),
      documentHash: try row.get("document_hash"),
      maskedDocumentNumber: try row.get("document_masked"), birthDate: birthDate, sex: sex,
      sealedPhone: try row.get("phone_sealed", as: Data?.self).map { [UInt8]($0) },
      maskedPhone: try row.get("phone_masked"),
      organisationID: try row.get("organisation_id"), guardianConsent: consent,
      registeredAt: try row.date("registered_at"), registeredBy: try row.get("registered_by"))
    let skillsJSON: String = try row.get("skills")
    record.skills = (try? JSONDecoder().decode([String].self, from: Data(skillsJSON.utf8))) ?? []
    record.withdrawnAt = try row.get("withdrawn_at", as: Date?.self)
    record.transfers = transfers
    return record
  }
}
