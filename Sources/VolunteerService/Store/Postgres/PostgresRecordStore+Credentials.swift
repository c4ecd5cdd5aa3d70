import Foundation
import PostgresNIO

// Credentials on PostgreSQL: the issued tokens, their status list positions and states.
extension PostgresRecordStore {
  public func issueCredential(
    idempotency: IdempotencyClaim, listSize: Int,
    make: @escaping @Sendable (_ number: String, _ revocationIndex: Int, _ suspensionIndex: Int) throws
      -> IssuedCredential
  ) async throws -> WriteOutcome<IssuedCredential> {
    try await self.write { session in
      try await Self.idempotentInsert(session, claim: idempotency, table: "credential", fetch: Self.fetchCredential) {
        sequence in
        let revocation = try await Self.unusedPosition(session, column: "revocation_index", listSize: listSize)
        let suspension = try await Self.unusedPosition(session, column: "suspension_index", listSize: listSize)
        let credential = try make(IssuedCredential.number(sequence: sequence), revocation, suspension)
        try await session.execute(
          """
          INSERT INTO credential (seq, number, volunteer_number, organisation_id, token, kid,
            issued_at, valid_until, revocation_index, suspension_index, state, issued_by,
            star_level, policy_id, policy_version, evidence_digest, evidence_records, evidence)
          VALUES (\(sequence), \(credential.number), \(credential.volunteerNumber),
            \(credential.organisationID), \(credential.token), \(credential.kid),
            \(credential.issuedAt.storedPrecision), \(credential.validUntil?.storedPrecision),
            \(credential.revocationIndex), \(credential.suspensionIndex), \(credential.state.rawValue),
            \(credential.issuedBy), \(credential.starLevel), \(credential.policyID),
            \(credential.policyVersion), \(credential.evidenceDigest), \(credential.evidenceRecords),
            \(credential.evidence))
          """)
        return (credential.number, credential)
      }
    }
  }

  /// A random position no credential holds yet: positions say nothing about issue order.
  /// The write lock makes check-then-insert safe across instances; the unique constraint on
  /// each position column would refuse a duplicate all the same.
  private static func unusedPosition(_ session: PostgresSession, column: String, listSize: Int) async throws -> Int {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<128 {
      let candidate = Int.random(in: 0..<listSize, using: &generator)
      var binds = PostgresBindings()
      binds.append(candidate)
      let taken = try await session.one(
        PostgresQuery(unsafeSQL: "SELECT 1 FROM credential WHERE \(column) = $1", binds: binds))
      if taken == nil { return candidate }
    }
    throw RecordStoreError.failedPrecondition(
      "the status list of \(listSize) positions is nearly full; it needs a second list")
  }

  public func credential(number: String, withinScope scopeOrganisationID: String) async throws
    -> IssuedCredential?
  {
    try await self.read { session in
      guard let credential = try await Self.fetchCredential(session, number),
        try await Self.organisation(session, id: credential.organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      return credential
    }
  }

  public func setCredentialState(
    number: String, to state: CredentialState, reason: String, by principalID: String,
    at date: Date, withinScope scopeOrganisationID: String
  ) async throws -> IssuedCredential? {
    try await self.write { session -> IssuedCredential? in
      guard var credential = try await Self.fetchCredential(session, number),
        try await Self.organisation(session, id: credential.organisationID, withinScope: scopeOrganisationID) != nil
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
      credential.stateChangedAt = date.storedPrecision.date
      credential.stateChangedBy = principalID
      try await session.execute(
        """
        UPDATE credential SET state = \(state.rawValue), state_reason = \(reason),
          state_changed_at = \(date.storedPrecision), state_changed_by = \(principalID)
        WHERE number = \(number)
        """)
      return credential
    }
  }

  public func statusListPositions(of state: CredentialState) async throws -> [Int] {
    let column = state == .revoked ? "revocation_index" : "suspension_index"
    return try await self.read { session in
      var binds = PostgresBindings()
      binds.append(state.rawValue)
      return try await session.rows(
        PostgresQuery(unsafeSQL: "SELECT \(column) AS position FROM credential WHERE state = $1", binds: binds)
      ).map { try $0.get("position", as: Int.self) }
    }
  }

  public func credentials(
    matching filter: CredentialFilter, page: PageRequest, withinScope scopeOrganisationID: String
  ) async throws -> Page<IssuedCredential>? {
    try await self.read { session in
      guard let root = try await Self.organisation(session, id: filter.organisationID, withinScope: scopeOrganisationID)
      else { return nil }
      var (sql, binds) = Self.filterClause(filter, rootPath: root.path)
      binds.append(page.afterSequence)
      sql = "SELECT c.* " + sql + " AND c.seq > $\(binds.count)"
      binds.append(page.size + 1)
      sql += " ORDER BY c.seq LIMIT $\(binds.count)"
      let rows = try await session.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
      return Page(
        items: try rows.prefix(page.size).compactMap(Self.credential(from:)),
        nextAfterSequence: rows.count > page.size ? try rows[page.size - 1].get("seq", as: Int.self) : nil)
    }
  }

  public func countCredentials(matching filter: CredentialFilter) async throws -> Int {
    try await self.read { session in
      guard let root = try await Self.fetchOrganisation(session, id: filter.organisationID) else { return 0 }
      let (sql, binds) = Self.filterClause(filter, rootPath: root.path)
      return try await session.scalar(PostgresQuery(unsafeSQL: "SELECT COUNT(*) " + sql, binds: binds), as: Int.self) ?? 0
    }
  }

  /// `FROM … WHERE …` for a filter over the subtree at `rootPath`, with its bindings.
  private static func filterClause(_ filter: CredentialFilter, rootPath: String) -> (String, PostgresBindings) {
    var binds = PostgresBindings()
    binds.append(rootPath)
    var sql = """
      FROM credential c JOIN organisation o ON o.id = c.organisation_id
      WHERE starts_with(o.path, $1)
      """
    if let from = filter.issuedFrom {
      binds.append(from.storedPrecision)
      sql += " AND c.issued_at >= $\(binds.count)"
    }
    if let before = filter.issuedBefore {
      binds.append(before.storedPrecision)
      sql += " AND c.issued_at < $\(binds.count)"
    }
    if let state = filter.state {
      binds.append(state.rawValue)
      sql += " AND c.state = $\(binds.count)"
    }
    return (sql, binds)
  }

  public func evidenceRecords(ofVolunteer number: String) async throws
    -> [(recordID: String, minutes: Int)]
  {
    let rows: [EvidenceRecord] = try await self.read { session in
      try await session.rows(
        """
        SELECT e.id, GREATEST(0, e.minutes + COALESCE(SUM(c.minutes), 0))::BIGINT AS net
        FROM service_record e LEFT JOIN service_record c ON c.corrects_record_id = e.id
        WHERE e.volunteer_number = \(number) AND e.kind = 'entry' AND e.status = 'approved'
        GROUP BY e.id, e.minutes
        HAVING COALESCE(SUM(CASE WHEN c.kind = 'reversal' THEN 1 ELSE 0 END), 0) = 0
        ORDER BY e.id COLLATE "C"
        """
      ).map { EvidenceRecord(recordID: try $0.get("id"), minutes: try $0.get("net")) }
    }
    return rows.map { (recordID: $0.recordID, minutes: $0.minutes) }
  }

  /// One counted record of a credential's evidence, out of the read transaction.
  struct EvidenceRecord: Sendable {
    var recordID: String
    var minutes: Int
  }

  static func fetchCredential(_ session: PostgresSession, _ number: String) async throws -> IssuedCredential? {
    try await session.one("SELECT * FROM credential WHERE number = \(number)").flatMap(Self.credential(from:))
  }

  static func credential(from row: PostgresRandomAccessRow) throws -> IssuedCredential? {
    guard let state = CredentialState(rawValue: try row.get("state")) else { return nil }
    return IssuedCredential(
      number: try row.get("number"), volunteerNumber: try row.get("volunteer_number"),
      organisationID: try row.get("organisation_id"), token: try row.get("token"), kid: try row.get("kid"),
      issuedAt: try row.date("issued_at"), validUntil: try row.get("valid_until", as: Date?.self),
      revocationIndex: try row.get("revocation_index"), suspensionIndex: try row.get("suspension_index"),
      state: state, stateReason: try row.get("state_reason"),
      stateChangedAt: try row.get("state_changed_at", as: Date?.self),
      stateChangedBy: try row.get("state_changed_by"), issuedBy: try row.get("issued_by"),
      starLevel: try row.get("star_level"), policyID: try row.get("policy_id"),
      policyVersion: try row.get("policy_version"), evidenceDigest: try row.get("evidence_digest"),
      evidenceRecords: try row.get("evidence_records"), evidence: try row.get("evidence"))
  }
}
