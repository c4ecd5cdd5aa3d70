import CoreMetrics
import Foundation
import GRDB
import Synchronization

/// The embedded default store: SQLite through GRDB, in WAL mode with `synchronous=FULL`,
/// writes batched by a ``GroupCommitWriter`` so every acknowledged write is durable
/// without paying one fsync per call.
public final class SQLiteRecordStore: RecordStore {
  public let kind = "sqlite"

  let pool: DatabasePool
  let writer: GroupCommitWriter
  /// Principals by id. Every call authenticates through ``principal(id:)``; this process is
  /// the database's only writer, so the map is kept exact by updating it after each write of
  /// a principal commits, and a call costs no database read.
  private let principals = Mutex(PrincipalMap())

  /// The principal map and a counter of principal writes: a read fills the map only if no
  /// write happened since it started, so a stale row can never replace a newer one.
  private struct PrincipalMap {
    var byID: [String: Principal] = [:]
    var writes: UInt64 = 0
  }

  /// Opens (creating if needed) the database at `path` and applies pending migrations.
  ///
  /// - Parameter metricsFactory: where the group-commit writer records batch sizes and
  ///   commit times (``ServiceMetrics``); `nil` records nothing.
  public init(path: String, metricsFactory: (any MetricsFactory)? = nil) throws {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    configuration.prepareDatabase { db in
      SQLiteAuditLog.registerFunctions(db)
      try db.execute(sql: "PRAGMA synchronous = FULL")
      // Deleted and overwritten content is zeroed, so pseudonymised data cannot be read
      // back from free pages.
      try db.execute(sql: "PRAGMA secure_delete = ON")
    }
    self.pool = try DatabasePool(path: path, configuration: configuration)
    // DatabasePool forces synchronous=NORMAL on its writer after prepareDatabase; an
    // acknowledged write must survive a power cut, so re-apply FULL where writes happen.
    try self.pool.barrierWriteWithoutTransaction { db in
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    try SQLiteSchema.migrator.migrate(self.pool)
    self.writer = GroupCommitWriter(
      writer: self.pool, auditor: SQLiteAuditLog.Auditor(),
      metrics: metricsFactory.map(StoreCommitMetrics.init(factory:)))
  }

  /// The writer connection's `PRAGMA synchronous` value (2 = FULL).
  public func writerSynchronousMode() async throws -> Int {
    try await self.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
  }

  /// The writer connection's journal mode (`"wal"`).
  public func journalMode() async throws -> String {
    try await self.pool.write { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
  }

  public func checkHealth() async throws {
    _ = try await self.pool.read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT 1")) }
  }

  public func bootstrap(root: Organisation, admin: Principal) async throws {
    try await self.writer.write { db in
      if try Self.fetchOrganisation(db, id: root.id) == nil {
        try db.cachedStatement(sql: """
            INSERT INTO organisation (id, parent_id, kind, name, region_code, path, created_at)
            VALUES (?, NULL, ?, ?, ?, ?, ?)
            """).execute(arguments: [root.id, root.kind.rawValue, root.name, root.regionCode, root.path, root.createdAt])
      }
      if try Self.fetchPrincipal(db, id: admin.id) == nil {
        try Self.insert(admin, db)
      }
    }
  }

  public func principal(id: String) async throws -> Principal? {
    let (cached, writes) = self.principals.withLock { ($0.byID[id], $0.writes) }
    if let cached { return cached }
    let principal = try await self.pool.read { db in try Self.fetchPrincipal(db, id: id) }
    if let principal {
      self.principals.withLock { map in
        if map.writes == writes { map.byID[principal.id] = principal }
      }
    }
    return principal
  }

  /// Records a principal whose write has committed.
  private func remember(_ principal: Principal) {
    self.principals.withLock { map in
      map.writes += 1
      map.byID[principal.id] = principal
    }
  }

  public func addPrincipal(_ principal: Principal) async throws {
    try await self.writer.write { db in
      guard try Self.fetchPrincipal(db, id: principal.id) == nil else {
        throw RecordStoreError.alreadyExists("principal \(principal.id) already exists")
      }
      guard try Self.fetchOrganisation(db, id: principal.scopeOrganisationID) != nil else {
        throw RecordStoreError.notFound(
          "organisation \(principal.scopeOrganisationID) does not exist")
      }
      try Self.insert(principal, db)
    }
    self.remember(principal)
  }

  public func principals(withinScope scopeOrganisationID: String) async throws -> [Principal] {
    try await self.pool.read { db in
      try Row.fetchAll(db.cachedStatement(sql: """
          SELECT p.* FROM principal p
          JOIN organisation o ON o.id = p.scope_organisation_id
          JOIN organisation s ON s.id = ?
          WHERE substr(o.path, 1, length(s.path)) = s.path
          ORDER BY p.id
          """),
        arguments: [scopeOrganisationID]
      ).compactMap(Self.principal(from:))
    }
  }

  public func addOrganisation(_ organisation: Organisation) async throws -> Organisation {
    try await self.writer.write { db in
      guard try Self.fetchOrganisation(db, id: organisation.id) == nil else {
        throw RecordStoreError.alreadyExists("organisation \(organisation.id) already exists")
      }
      guard let parentID = organisation.parentID,
        let parent = try Self.fetchOrganisation(db, id: parentID)
      else {
        throw RecordStoreError.notFound(
          "parent organisation \(organisation.parentID ?? "(none)") does not exist")
      }
      var stored = organisation
      stored.path = parent.path + organisation.id + "/"
      try db.cachedStatement(sql: """
          INSERT INTO organisation (id, parent_id, kind, name, region_code, path, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          """).execute(arguments: [
          stored.id, parentID, stored.kind.rawValue, stored.name, stored.regionCode, stored.path,
          stored.createdAt,
        ])
      return stored
    }
  }

  public func children(of id: String, withinScope scopeOrganisationID: String) async throws
    -> [Organisation]?
  {
    try await self.pool.read { db in
      guard try Self.organisation(db, id: id, withinScope: scopeOrganisationID) != nil else {
        return nil
      }
      return try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM organisation WHERE parent_id = ? ORDER BY id"), arguments: [id]
      ).compactMap(Self.organisation(from:))
    }
  }

  public func subtree(of id: String, withinScope scopeOrganisationID: String) async throws
    -> [Organisation]?
  {
    try await self.pool.read { db in
      guard let root = try Self.organisation(db, id: id, withinScope: scopeOrganisationID) else {
        return nil
      }
      // Ordering by path lists every parent before its children, depth first.
      return try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM organisation WHERE substr(path, 1, length(?)) = ? ORDER BY path"),
        arguments: [root.path, root.path]
      ).compactMap(Self.organisation(from:))
    }
  }

  public func setPrincipalEnabled(
    id: String, enabled: Bool, withinScope scopeOrganisationID: String
  ) async throws -> Principal? {
    let updated: Principal? = try await self.writer.write { db in
      guard let principal = try Self.fetchPrincipal(db, id: id),
        try Self.organisation(
          db, id: principal.scopeOrganisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      try db.cachedStatement(sql: "UPDATE principal SET enabled = ? WHERE id = ?").execute(arguments: [enabled, id])
      var updated = principal
      updated.isEnabled = enabled
      return updated
    }
    if let updated { self.remember(updated) }
    return updated
  }

  public func organisation(id: String, withinScope scopeOrganisationID: String) async throws
    -> Organisation?
  {
    try await self.pool.read { db in
      try Self.organisation(db, id: id, withinScope: scopeOrganisationID)
    }
  }

  /// The one scope check of organisation reads: `id` if it lies in the scope's subtree.
  static func organisation(
    _ db: Database, id: String, withinScope scopeOrganisationID: String
  ) throws -> Organisation? {
    guard let organisation = try Self.fetchOrganisation(db, id: id),
      let scope = try Self.fetchOrganisation(db, id: scopeOrganisationID),
      organisation.isWithin(scope)
    else { return nil }
    return organisation
  }

  public func registerVolunteer(_ volunteer: NewVolunteer, idempotency: IdempotencyClaim)
    async throws -> WriteOutcome<VolunteerRecord>
  {
    try await self.writer.write { db in
      try Self.idempotentInsert(db, claim: idempotency, table: "volunteer", fetch: Self.fetchVolunteer) {
        sequence in
      let record = volunteer.makeRecord(VolunteerNumber(sequence: sequence).value)
      let hashes = [record.documentHash] + volunteer.olderDocumentHashes
      if let existing = try String.fetchOne(db.cachedStatement(sql: "SELECT number FROM volunteer WHERE document_hash IN (\(databaseQuestionMarks(count: hashes.count)))"),
        arguments: StatementArguments(hashes))
      {
        throw RecordStoreError.duplicateDocument(existingNumber: existing)
      }
      guard try Self.fetchOrganisation(db, id: record.organisationID) != nil else {
        throw RecordStoreError.notFound("organisation \(record.organisationID) does not exist")
      }
      try db.cachedStatement(sql: """
          INSERT INTO volunteer (seq, number, real_name, document_type, document_sealed,
            document_hash, document_masked, birth_date, sex, phone_sealed, phone_masked,
            organisation_id, guardian_name, guardian_relation, guardian_consent_date,
            registered_at, registered_by, skills)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """).execute(arguments: [
          sequence, record.number, record.realName, record.documentType.rawValue,
          Data(record.sealedDocumentNumber), record.documentHash, record.maskedDocumentNumber,
          record.birthDate.iso8601, record.sex.rawValue, record.sealedPhone.map { Data($0) },
          record.maskedPhone, record.organisationID, record.guardianConsent?.guardianName,
          record.guardianConsent?.relation, record.guardianConsent?.consentDate.iso8601,
          record.registeredAt, record.registeredBy, try Self.encodeSkills(record.skills),
        ])
      return (record.number, record)
      }
    }
  }

  public func volunteers(matching query: VolunteerQuery, withinScope scopeOrganisationID: String)
    async throws -> VolunteerPage?
  {
    try await self.pool.read { db in
      guard let root = try Self.organisation(db, id: query.organisationID, withinScope: scopeOrganisationID)
      else { return nil }
      var sql = """
        SELECT v.* FROM volunteer v JOIN organisation o ON o.id = v.organisation_id
        WHERE substr(o.path, 1, length(?)) = ? AND v.seq > ?
        """
      var arguments: StatementArguments = [root.path, root.path, query.afterSequence]
      if let from = query.registeredFrom {
        sql += " AND v.registered_at >= ?"
        _ = arguments.append(contentsOf: [from])
      }
      if let before = query.registeredBefore {
        sql += " AND v.registered_at < ?"
        _ = arguments.append(contentsOf: [before])
      }
      if !query.includeWithdrawn { sql += " AND v.withdrawn_at IS NULL" }
      // One extra row tells whether another page follows.
      sql += " ORDER BY v.seq LIMIT ?"
      _ = arguments.append(contentsOf: [query.pageSize + 1])
      let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
      let pageRows = rows.prefix(query.pageSize)
      let records = try pageRows.compactMap { try Self.volunteer(from: $0, db) }
      let lastSequence: Int? = pageRows.last?["seq"]
      return VolunteerPage(
        records: records, nextAfterSequence: rows.count > query.pageSize ? lastSequence : nil)
    }
  }

  public func transferVolunteer(
    number: String, to organisationID: String, reason: String, by principalID: String,
    at date: Date, withinScope scopeOrganisationID: String
  ) async throws -> VolunteerRecord? {
    try await self.writer.write { db in
      guard let record = try Self.fetchVolunteer(db, number: number),
        try Self.organisation(db, id: record.organisationID, withinScope: scopeOrganisationID) != nil,
        try Self.organisation(db, id: organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      guard record.withdrawnAt == nil else {
        throw RecordStoreError.failedPrecondition("volunteer \(number) has withdrawn")
      }
      guard record.organisationID != organisationID else {
        throw RecordStoreError.failedPrecondition(
          "volunteer \(number) is already registered under \(organisationID)")
      }
      try db.cachedStatement(sql: """
          INSERT INTO volunteer_transfer (volunteer_number, from_organisation_id,
            to_organisation_id, transferred_at, transferred_by, reason)
          VALUES (?, ?, ?, ?, ?, ?)
          """).execute(arguments: [number, record.organisationID, organisationID, date, principalID, reason])
      try db.cachedStatement(sql: "UPDATE volunteer SET organisation_id = ? WHERE number = ?").execute(arguments: [organisationID, number])
      return try Self.fetchVolunteer(db, number: number)
    }
  }

  public func withdrawVolunteer(number: String, at date: Date, withinScope scopeOrganisationID: String)
    async throws -> VolunteerRecord?
  {
    let record: VolunteerRecord? = try await self.writer.write { db in
      guard let record = try Self.fetchVolunteer(db, number: number),
        try Self.organisation(db, id: record.organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      guard record.withdrawnAt == nil else { return record }
      // The keyed hash becomes a tombstone unique to the number, so the withdrawn person can
      // neither be matched nor block a later registration of their own. Birth year and sex
      // stay, so age-group and sex aggregates stay correct without identifying anyone.
      try db.cachedStatement(sql: """
          UPDATE volunteer SET real_name = '', document_sealed = x'', document_masked = '',
            document_hash = 'withdrawn:' || number, phone_sealed = NULL, phone_masked = NULL,
            guardian_name = NULL, skills = '[]', withdrawn_at = ?,
            birth_date = substr(birth_date, 1, 4) || '-01-01'
          WHERE number = ?
          """).execute(arguments: [date, number])
      return try Self.fetchVolunteer(db, number: number)
    }
    // The WAL still holds the pages as they were before; fold them into the (securely
    // overwritten) database and empty it, so the old values are gone from disk too.
    try await self.pool.barrierWriteWithoutTransaction { db in
      _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
    }
    return record
  }

  public func volunteer(number: String, withinScope scopeOrganisationID: String) async throws
    -> VolunteerRecord?
  {
    try await self.pool.read { db in
      guard let record = try Self.fetchVolunteer(db, number: number),
        try Self.organisation(db, id: record.organisationID, withinScope: scopeOrganisationID)
          != nil
      else { return nil }
      return record
    }
  }

  // MARK: Idempotency

  /// The result id recorded for a retried claim, `nil` for a first use of the key.
  static func replayedResult(_ db: Database, claim: IdempotencyClaim) throws -> String? {
    guard
      let row = try Row.fetchOne(db.cachedStatement(sql: """
          SELECT method, request_digest, result_id FROM idempotency_key
          WHERE principal_id = ? AND key = ?
          """),
        arguments: [claim.principalID, claim.key])
    else { return nil }
    let method: String = row["method"]
    let digest: Data = row["request_digest"]
    guard method == claim.method, [UInt8](digest) == claim.requestDigest else {
      throw RecordStoreError.idempotencyConflict(key: claim.key)
    }
    return row["result_id"]
  }

  static func recordClaim(_ db: Database, _ claim: IdempotencyClaim, resultID: String)
    throws
  {
    try db.cachedStatement(sql: """
        INSERT INTO idempotency_key (principal_id, key, method, request_digest, result_id, created_at)
        VALUES (?, ?, ?, ?, ?, ?)
        """).execute(arguments: [
        claim.principalID, claim.key, claim.method, Data(claim.requestDigest), resultID, Date(),
      ])
  }

  // MARK: Row mapping

  private static func insert(_ principal: Principal, _ db: Database) throws {
    try db.cachedStatement(sql: """
        INSERT INTO principal (id, role, scope_organisation_id, display_name, enabled, created_at, created_by)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """).execute(arguments: [
        principal.id, principal.role.rawValue, principal.scopeOrganisationID,
        principal.displayName, principal.isEnabled, principal.createdAt, principal.createdBy,
      ])
  }

  private static func fetchPrincipal(_ db: Database, id: String) throws -> Principal? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM principal WHERE id = ?"), arguments: [id])
      .flatMap(Self.principal(from:))
  }

  private static func principal(from row: Row) -> Principal? {
    guard let role = Role(rawValue: row["role"]) else { return nil }
    return Principal(
      id: row["id"], role: role, scopeOrganisationID: row["scope_organisation_id"],
      displayName: row["display_name"], isEnabled: row["enabled"], createdAt: row["created_at"],
      createdBy: row["created_by"])
  }

  static func fetchOrganisation(_ db: Database, id: String) throws -> Organisation? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM organisation WHERE id = ?"), arguments: [id])
      .flatMap(Self.organisation(from:))
  }

  private static func organisation(from row: Row) -> Organisation? {
    guard let kind = Organisation.Kind(rawValue: row["kind"]) else { return nil }
    return Organisation(
      id: row["id"], parentID: row["parent_id"], kind: kind, name: row["name"],
      regionCode: row["region_code"], path: row["path"], createdAt: row["created_at"])
  }

  static func fetchVolunteer(_ db: Database, number: String) throws -> VolunteerRecord? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM volunteer WHERE number = ?"), arguments: [number])
      .flatMap { try Self.volunteer(from: $0, db) }
  }

  private static func encodeSkills(_ skills: [String]) throws -> String {
    String(decoding: try JSONEncoder().encode(skills), as: UTF8.self)
  }

  public func sealedPersonalData(afterSequence: Int, limit: Int) async throws -> [SealedPersonalData] {
    try await self.pool.read { db in
      try Row.fetchAll(db.cachedStatement(sql: """
          SELECT seq, number, document_type, document_sealed, document_hash, phone_sealed
          FROM volunteer WHERE seq > ? AND withdrawn_at IS NULL ORDER BY seq LIMIT ?
          """),
        arguments: [afterSequence, limit]
      ).map { row in
        // A row skipped here would stay under a key the rotation then destroys: fail instead.
        guard let documentType = DocumentType(rawValue: row["document_type"]) else {
          let number: String = row["number"]
          throw RecordStoreError.failedPrecondition(
            "volunteer \(number) has an unknown document type \"\(String(describing: row["document_type"] as String?))\"")
        }
        let documentSealed: Data = row["document_sealed"]
        let phoneSealed: Data? = row["phone_sealed"]
        return SealedPersonalData(
          sequence: row["seq"], number: row["number"], documentType: documentType,
          sealedDocumentNumber: [UInt8](documentSealed), documentHash: row["document_hash"],
          sealedPhone: phoneSealed.map { [UInt8]($0) })
      }
    }
  }

  public func replaceSealedPersonalData(
    _ changes: [(previous: SealedPersonalData, next: SealedPersonalData)]
  ) async throws -> Int {
    try await self.writer.write { db in
      var changed = 0
      for (previous, next) in changes {
        try db.cachedStatement(sql: """
            UPDATE volunteer SET document_sealed = ?, document_hash = ?, phone_sealed = ?
            WHERE number = ? AND document_sealed = ? AND withdrawn_at IS NULL
            """).execute(arguments: [
            Data(next.sealedDocumentNumber), next.documentHash, next.sealedPhone.map { Data($0) },
            previous.number, Data(previous.sealedDocumentNumber),
          ])
        changed += db.changesCount
      }
      return changed
    }
  }

  private static func volunteer(from row: Row, _ db: Database) throws -> VolunteerRecord? {
    guard let documentType = DocumentType(rawValue: row["document_type"]),
      let sex = Sex(rawValue: row["sex"]),
      let birthDate = CalendarDate(iso8601: row["birth_date"])
    else { return nil }
    var consent: GuardianConsent?
    if let name: String = row["guardian_name"], let relation: String = row["guardian_relation"],
      let dateText: String = row["guardian_consent_date"], let date = CalendarDate(iso8601: dateText)
    {
      consent = GuardianConsent(guardianName: name, relation: relation, consentDate: date)
    }
    let documentSealed: Data = row["document_sealed"]
    let phoneSealed: Data? = row["phone_sealed"]
    let number: String = row["number"]
    let skillsJSON: String = row["skills"]
    let transfers = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM volunteer_transfer WHERE volunteer_number = ? ORDER BY id"),
      arguments: [number]
    ).map { transfer in
      VolunteerTransfer(
        fromOrganisationID: transfer["from_organisation_id"],
        toOrganisationID: transfer["to_organisation_id"],
        transferredAt: transfer["transferred_at"], transferredBy: transfer["transferred_by"],
        reason: transfer["reason"])
    }
    var record = VolunteerRecord(
      number: row["number"], realName: row["real_name"], documentType: documentType,
      sealedDocumentNumber: [UInt8](documentSealed), documentHash: row["document_hash"],
      maskedDocumentNumber: row["document_masked"], birthDate: birthDate, sex: sex,
      sealedPhone: phoneSealed.map { [UInt8]($0) }, maskedPhone: row["phone_masked"],
      organisationID: row["organisation_id"], guardianConsent: consent,
      registeredAt: row["registered_at"], registeredBy: row["registered_by"])
    record.skills = (try? JSONDecoder().decode([String].self, from: Data(skillsJSON.utf8))) ?? []
    record.withdrawnAt = row["withdrawn_at"]
    record.transfers = transfers
    return record
  }
}
