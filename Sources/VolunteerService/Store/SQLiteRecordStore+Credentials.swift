import Foundation
import GRDB

// Credentials on SQLite: the issued tokens, their status list positions and states.
extension SQLiteRecordStore {
  public func issueCredential(
    idempotency: IdempotencyClaim, listSize: Int,
    make: @escaping @Sendable (_ number: String, _ revocationIndex: Int, _ suspensionIndex: Int) throws
      -> IssuedCredential
  ) async throws -> WriteOutcome<IssuedCredential> {
    try await self.writer.write { db in
      try Self.idempotentInsert(db, claim: idempotency, table: "credential", fetch: Self.fetchCredential) {
        sequence in
        let revocation = try Self.unusedPosition(db, column: "revocation_index", listSize: listSize)
        let suspension = try Self.unusedPosition(db, column: "suspension_index", listSize: listSize)
        let credential = try make(IssuedCredential.number(sequence: sequence), revocation, suspension)
        try db.cachedStatement(sql: """
            INSERT INTO credential (seq, number, volunteer_number, organisation_id, token, kid,
              issued_at, valid_until, revocation_index, suspension_index, state, issued_by,
              star_level, policy_id, policy_version, evidence_digest, evidence_records, evidence)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
            sequence, credential.number, credential.volunteerNumber, credential.organisationID,
            credential.token, credential.kid, credential.issuedAt, credential.validUntil,
            credential.revocationIndex, credential.suspensionIndex, credential.state.rawValue,
            credential.issuedBy, credential.starLevel, credential.policyID,
            credential.policyVersion, credential.evidenceDigest, credential.evidenceRecords,
            credential.evidence,
          ])
        return (credential.number, credential)
      }
    }
  }

  /// A random position no credential holds yet: positions say nothing about issue order.
  private static func unusedPosition(_ db: Database, column: String, listSize: Int) throws -> Int {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<128 {
      let candidate = Int.random(in: 0..<listSize, using: &generator)
      if try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM credential WHERE \(column) = ?"), arguments: [candidate]) == nil
      {
        return candidate
      }
    }
    throw RecordStoreError.failedPrecondition(
      "the status list of \(listSize) positions is nearly full; it needs a second list")
  }

  public func credential(number: String, withinScope scopeOrganisationID: String) async throws
    -> IssuedCredential?
  {
    try await self.pool.read { db in
      guard let credential = try Self.fetchCredential(db, number: number),
        try Self.organisation(db, id: credential.organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      return credential
    }
  }

  public func setCredentialState(
    number: String, to state: CredentialState, reason: String, by principalID: String,
    at date: Date, withinScope scopeOrganisationID: String
  ) async throws -> IssuedCredential? {
    try await self.writer.write { db -> IssuedCredential? in
      guard var credential = try Self.fetchCredential(db, number: number),
        try Self.organisation(db, id: credential.organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      let next: CredentialState
      do {
        next = try credential.state.transition(to: state)
      } catch let error as IdentityValidationError {
        throw RecordStoreError.failedPrecondition("\(error.field): \(error.reason)")
      }
      guard next != credential.state else { return credential }
      credential.state = state
      credential.stateReason = reason
      credential.stateChangedAt = date
      credential.stateChangedBy = principalID
      try db.cachedStatement(sql: """
          UPDATE credential SET state = ?, state_reason = ?, state_changed_at = ?,
            state_changed_by = ?
          WHERE number = ?
          """).execute(arguments: [state.rawValue, reason, date, principalID, number])
      return credential
    }
  }

  public func statusListPositions(of state: CredentialState) async throws -> [Int] {
    let column = state == .revoked ? "revocation_index" : "suspension_index"
    return try await self.pool.read { db in
      try Int.fetchAll(db.cachedStatement(sql: "SELECT \(column) FROM credential WHERE state = ?"), arguments: [state.rawValue])
    }
  }

  public func credentials(
    matching filter: CredentialFilter, page: PageRequest, withinScope scopeOrganisationID: String
  ) async throws -> Page<IssuedCredential>? {
    try await self.pool.read { db in
      guard let root = try Self.organisation(db, id: filter.organisationID, withinScope: scopeOrganisationID)
      else { return nil }
      var (sql, arguments) = Self.filterClause(filter, rootPath: root.path)
      sql = "SELECT c.* " + sql + " AND c.seq > ? ORDER BY c.seq LIMIT ?"
      _ = arguments.append(contentsOf: [page.afterSequence, page.size + 1])
      let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
      return Page(
        items: rows.prefix(page.size).compactMap(Self.credential(from:)),
        nextAfterSequence: rows.count > page.size ? rows[page.size - 1]["seq"] : nil)
    }
  }

  public func countCredentials(matching filter: CredentialFilter) async throws -> Int {
    try await self.pool.read { db in
      guard let root = try Self.fetchOrganisation(db, id: filter.organisationID) else { return 0 }
      let (sql, arguments) = Self.filterClause(filter, rootPath: root.path)
      return try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) " + sql), arguments: arguments) ?? 0
    }
  }

  /// `FROM … WHERE …` for a filter over the subtree at `rootPath`.
  private static func filterClause(_ filter: CredentialFilter, rootPath: String) -> (String, StatementArguments) {
    var sql = """
      FROM credential c JOIN organisation o ON o.id = c.organisation_id
      WHERE substr(o.path, 1, length(?)) = ?
      """
    var arguments: StatementArguments = [rootPath, rootPath]
    if let from = filter.issuedFrom {
      sql += " AND c.issued_at >= ?"
      _ = arguments.append(contentsOf: [from])
    }
    if let before = filter.issuedBefore {
      sql += " AND c.issued_at < ?"
      _ = arguments.append(contentsOf: [before])
    }
    if let state = filter.state {
      sql += " AND c.state = ?"
      _ = arguments.append(contentsOf: [state.rawValue])
    }
    return (sql, arguments)
  }

  public func evidenceRecords(ofVolunteer number: String) async throws
    -> [(recordID: String, minutes: Int)]
  {
    try await self.pool.read { db in
      try Row.fetchAll(db.cachedStatement(sql: """
          SELECT e.id, MAX(0, e.minutes + COALESCE(SUM(c.minutes), 0)) AS net
          FROM service_record e LEFT JOIN service_record c ON c.corrects_record_id = e.id
          WHERE e.volunteer_number = ? AND e.kind = 'entry' AND e.status = 'approved'
          GROUP BY e.id
          HAVING COALESCE(SUM(c.kind = 'reversal'), 0) = 0
          ORDER BY e.id
          """),
        arguments: [number]
      ).map { (recordID: $0["id"], minutes: $0["net"]) }
    }
  }

  private static func fetchCredential(_ db: Database, number: String) throws -> IssuedCredential? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM credential WHERE number = ?"), arguments: [number])
      .flatMap(Self.credential(from:))
  }

  private static func credential(from row: Row) -> IssuedCredential? {
    guard let state = CredentialState(rawValue: row["state"]) else { return nil }
    return IssuedCredential(
      number: row["number"], volunteerNumber: row["volunteer_number"],
      organisationID: row["organisation_id"], token: row["token"], kid: row["kid"],
      issuedAt: row["issued_at"], validUntil: row["valid_until"],
      revocationIndex: row["revocation_index"], suspensionIndex: row["suspension_index"],
      state: state, stateReason: row["state_reason"], stateChangedAt: row["state_changed_at"],
      stateChangedBy: row["state_changed_by"], issuedBy: row["issued_by"],
      starLevel: row["star_level"], policyID: row["policy_id"],
      policyVersion: row["policy_version"], evidenceDigest: row["evidence_digest"],
      evidenceRecords: row["evidence_records"], evidence: row["evidence"])
  }
}
