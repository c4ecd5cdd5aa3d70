import Foundation
import Logging
import PostgresNIO

/// The record store for deployments past one machine: PostgreSQL through postgres-nio's
/// pooled `PostgresClient`, shared by any number of service instances.
///
/// Concurrency across instances comes from the database alone, never from this process:
/// - every write transaction first takes one transaction-scoped advisory lock
///   (``writeLockKey``). The audit log is a single hash chain, so writes are totally ordered
///   by it anyway; taking its lock first makes every rule that SQLite gets from its single
///   writer (idempotency keys, gapless sequence numbers, no overlapping records, daily caps,
///   status-list positions) hold for concurrent writes from any instance, with each
///   statement in READ COMMITTED seeing everything committed before the lock was granted;
/// - constraints back the rules up (primary keys on claims and sequence numbers, unique
///   documents and status-list positions, triggers keeping approved records and revocations
///   final), so a write path that forgot a check still cannot corrupt the data;
/// - reads run in REPEATABLE READ READ ONLY transactions: one snapshot per call, no lock;
/// - transient failures (serialization, deadlock, a unique race) retry the whole transaction.
///
/// Principals are read from the database on every call (no cache): another instance may have
/// disabled one a moment ago.
public final class PostgresRecordStore: RecordStore {
  public let kind = "postgres"

  /// The advisory lock every write transaction holds until it commits.
  static let writeLockKey: Int64 = 0x5652_5300_0000_0002
  /// How often a transaction that failed transiently is tried in all.
  static let maxAttempts = 12

  let client: PostgresClient
  let logger: Logger
  /// Runs the client's pool for the store's lifetime; cancelled by ``close()``.
  private let runner: Task<Void, Never>

  /// How long the first connection and the migrations may take before the start fails: the
  /// pool retries a refused, unreachable or unverifiable server forever, so without a
  /// deadline a wrong address, password or certificate would leave `serve` waiting.
  public static let defaultStartupTimeout: Duration = .seconds(30)

  /// Connects to `location`, starts the connection pool and applies pending migrations.
  ///
  /// - Parameters:
  ///   - maximumConnections: this instance's pool size; N instances × `maximumConnections`
  ///     must stay below the server's `max_connections`.
  ///   - startupTimeout: the most the connection and the migrations may take.
  /// - Throws: ``PostgresStoreError`` when the server cannot be reached, refuses the login or
  ///   the TLS handshake, or the migrations fail, and when `startupTimeout` passes first.
  public init(
    location: PostgresStoreLocation, maximumConnections: Int = 16,
    startupTimeout: Duration = PostgresRecordStore.defaultStartupTimeout, logger: Logger
  ) async throws {
    let client = PostgresClient(
      configuration: try location.clientConfiguration(maximumConnections: maximumConnections),
      backgroundLogger: logger)
    self.client = client
    self.logger = logger
    // The pool serves leases only while run() runs; it is the store's own long-running
    // task, ended by close() (a RecordStore has no lifecycle hook of the server's to join).
    // The first lease waits until the task is about to call run(), whose first step marks
    // the client running, so the pool never warns of a lease before run().
    let (started, signal) = AsyncStream<Void>.makeStream()
    self.runner = Task {
      signal.finish()
      await client.run()
    }
    for await _ in started {}
    do {
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await PostgresSchema.migrate(client, logger: logger) }
        group.addTask {
          try await Task.sleep(for: startupTimeout)
          throw PostgresStoreError(
            sqlState: nil,
            message: "no usable connection to \(location.host):\(location.port) (database "
              + "\"\(location.database)\", sslmode \(location.tlsMode.rawValue)) within \(startupTimeout)",
            detail: "check the address, the user and password, and the TLS settings; the log "
              + "names each failed attempt (psql_error)")
        }
        // The first to finish decides: the migrations, or the deadline.
        try await group.next()
        group.cancelAll()
      }
    } catch {
      self.runner.cancel()
      throw PostgresStoreError.wrapping(error)
    }
  }

  deinit {
    self.runner.cancel()
  }

  /// Closes the pool's connections; the store serves nothing afterwards.
  public func close() async {
    self.runner.cancel()
    await self.runner.value
  }

  // MARK: Transactions

  /// Runs `body` in a write transaction holding the write lock, seals the audit entry of
  /// what it changed (with the caller's ``AuditContext``), and commits; retried whole on a
  /// transient failure.
  func write<T: Sendable>(_ body: (PostgresSession) async throws -> T) async throws -> T {
    let context = AuditContext.current
    return try await self.retrying {
      try await self.transaction("BEGIN ISOLATION LEVEL READ COMMITTED") { session in
        try await session.execute("SELECT pg_advisory_xact_lock(\(Self.writeLockKey))")
        let value = try await body(session)
        try await PostgresAuditLog.seal(session, context: context, at: Date())
        return value
      }
    }
  }

  /// Runs `body`, one statement, outside an explicit transaction: a single statement reads
  /// one snapshot anyway, and BEGIN and COMMIT would double its round trips. For the reads
  /// every call makes (the caller's principal).
  func readStatement<T: Sendable>(_ body: (PostgresSession) async throws -> T) async throws -> T {
    try await self.retrying {
      try await self.client.withConnection { connection in
        try await body(PostgresSession(connection: connection, logger: self.logger))
      }
    }
  }

  /// Runs `body` in a read-only transaction on one snapshot.
  func read<T: Sendable>(_ body: (PostgresSession) async throws -> T) async throws -> T {
    try await self.retrying {
      try await self.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }
  }

  private func transaction<T: Sendable>(
    _ begin: PostgresQuery, _ body: (PostgresSession) async throws -> T
  ) async throws -> T {
    try await self.client.withConnection { connection in
      let session = PostgresSession(connection: connection, logger: self.logger)
      try await session.execute(begin)
      do {
        let value = try await body(session)
        try await session.execute("COMMIT")
        return value
      } catch {
        // A failed rollback means a broken connection, which the pool discards anyway; the
        // caller needs the original error.
        try? await session.execute("ROLLBACK")
        throw error
      }
    }
  }

  /// Runs `attempt` until it succeeds, fails for good, or failed transiently
  /// ``maxAttempts`` times; server errors leave as ``PostgresStoreError``.
  private func retrying<T: Sendable>(_ attempt: () async throws -> T) async throws -> T {
    var tries = 0
    while true {
      tries += 1
      do {
        return try await attempt()
      } catch where Self.isTransient(error) && tries < Self.maxAttempts {
        // Jittered backoff, so instances that collided do not collide again in step.
        try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * tries))))
      } catch {
        throw PostgresStoreError.wrapping(error)
      }
    }
  }

  /// Whether a failure dooms only this attempt: serialization failure, deadlock, or a unique
  /// violation from a concurrent insert that the next attempt will see and answer properly.
  static func isTransient(_ error: any Error) -> Bool {
    guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
    return ["40001", "40P01", "23505"].contains(state)
  }

  // MARK: Organisations and principals

  public func checkHealth() async throws {
    _ = try await self.readStatement { session in try await session.scalar("SELECT 1::BIGINT", as: Int.self) }
  }

  public func bootstrap(root: Organisation, admin: Principal) async throws {
    try await self.write { session in
      if try await Self.fetchOrganisation(session, id: root.id) == nil {
        try await session.execute(
          """
          INSERT INTO organisation (id, parent_id, kind, name, region_code, path, created_at)
          VALUES (\(root.id), NULL, \(root.kind.rawValue), \(root.name), \(root.regionCode),
            \(root.path), \(root.createdAt.storedPrecision))
          """)
      }
      if try await Self.fetchPrincipal(session, id: admin.id) == nil {
        try await Self.insert(admin, session)
      }
    }
  }

  public func principal(id: String) async throws -> Principal? {
    // Read on every call (no cache): another instance may have disabled it a moment ago.
    try await self.readStatement { session in try await Self.fetchPrincipal(session, id: id) }
  }

  public func addPrincipal(_ principal: Principal) async throws {
    try await self.write { session in
      guard try await Self.fetchPrincipal(session, id: principal.id) == nil else {
        throw RecordStoreError.alreadyExists("principal \(principal.id) already exists")
      }
      guard try await Self.fetchOrganisation(session, id: principal.scopeOrganisationID) != nil else {
        throw RecordStoreError.notFound("organisation \(principal.scopeOrganisationID) does not exist")
      }
      try await Self.insert(principal, session)
    }
  }

  public func principals(withinScope scopeOrganisationID: String) async throws -> [Principal] {
    try await self.read { session in
      try await session.rows(
        """
        SELECT p.* FROM principal p
        JOIN organisation o ON o.id = p.scope_organisation_id
        JOIN organisation s ON s.id = \(scopeOrganisationID)
        WHERE starts_with(o.path, s.path)
        ORDER BY p.id
        """
      ).compactMap(Self.principal(from:))
    }
  }

  public func addOrganisation(_ organisation: Organisation) async throws -> Organisation {
    try await self.write { session in
      guard try await Self.fetchOrganisation(session, id: organisation.id) == nil else {
        throw RecordStoreError.alreadyExists("organisation \(organisation.id) already exists")
      }
      guard let parentID = organisation.parentID,
        let parent = try await Self.fetchOrganisation(session, id: parentID)
      else {
        throw RecordStoreError.notFound(
          "parent organisation \(organisation.parentID ?? "(none)") does not exist")
      }
      var stored = organisation
      stored.path = parent.path + organisation.id + "/"
      try await session.execute(
        """
        INSERT INTO organisation (id, parent_id, kind, name, region_code, path, created_at)
        VALUES (\(stored.id), \(parentID), \(stored.kind.rawValue), \(stored.name),
          \(stored.regionCode), \(stored.path), \(stored.createdAt.storedPrecision))
        """)
      return stored
    }
  }

  public func children(of id: String, withinScope scopeOrganisationID: String) async throws
    -> [Organisation]?
  {
    try await self.read { session in
      guard try await Self.organisation(session, id: id, withinScope: scopeOrganisationID) != nil else {
        return nil
      }
      return try await session.rows("SELECT * FROM organisation WHERE parent_id = \(id) ORDER BY id")
        .compactMap(Self.organisation(from:))
    }
  }

  public func subtree(of id: String, withinScope scopeOrganisationID: String) async throws
    -> [Organisation]?
  {
    try await self.read { session in
      guard let root = try await Self.organisation(session, id: id, withinScope: scopeOrganisationID)
      else { return nil }
      // Ordering by path lists every parent before its children, depth first. COLLATE "C"
      // orders bytewise, as SQLite does, whatever the database's locale.
      return try await session.rows(
        "SELECT * FROM organisation WHERE starts_with(path, \(root.path)) ORDER BY path COLLATE \"C\""
      ).compactMap(Self.organisation(from:))
    }
  }

  public func setPrincipalEnabled(
    id: String, enabled: Bool, withinScope scopeOrganisationID: String
  ) async throws -> Principal? {
    try await self.write { session in
      guard let principal = try await Self.fetchPrincipal(session, id: id),
        try await Self.organisation(
          session, id: principal.scopeOrganisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      try await session.execute("UPDATE principal SET enabled = \(enabled) WHERE id = \(id)")
      var updated = principal
      updated.isEnabled = enabled
      return updated
    }
  }

  public func organisation(id: String, withinScope scopeOrganisationID: String) async throws
    -> Organisation?
  {
    try await self.read { session in
      try await Self.organisation(session, id: id, withinScope: scopeOrganisationID)
    }
  }

  /// The one scope check of organisation reads: `id` if it lies in the scope's subtree
  /// (its path starts with the scope's, as ``Organisation/isWithin(_:)`` says), in one query.
  static func organisation(
    _ session: PostgresSession, id: String, withinScope scopeOrganisationID: String
  ) async throws -> Organisation? {
    try await session.one(
      """
      SELECT o.* FROM organisation o JOIN organisation s ON s.id = \(scopeOrganisationID)
      WHERE o.id = \(id) AND starts_with(o.path, s.path)
      """
    ).flatMap(Self.organisation(from:))
  }

  // MARK: Volunteers

  public func registerVolunteer(_ volunteer: NewVolunteer, idempotency: IdempotencyClaim)
    async throws -> WriteOutcome<VolunteerRecord>
  {
    try await self.write { session in
      try await Self.idempotentInsert(
        session, claim: idempotency, table: "volunteer", fetch: Self.fetchVolunteer
      ) { sequence in
        let record = volunteer.makeRecord(VolunteerNumber(sequence: sequence).value)
        let hashes = [record.documentHash] + volunteer.olderDocumentHashes
        if let existing = try await session.scalar(
          "SELECT number FROM volunteer WHERE document_hash = ANY(\(hashes)::text[]) LIMIT 1", as: String.self)
        {
          throw RecordStoreError.duplicateDocument(existingNumber: existing)
        }
        guard try await Self.fetchOrganisation(session, id: record.organisationID) != nil else {
          throw RecordStoreError.notFound("organisation \(record.organisationID) does not exist")
        }
        try await session.execute(
          """
          INSERT INTO volunteer (seq, number, real_name, document_type, document_sealed,
            document_hash, document_masked, birth_date, sex, phone_sealed, phone_masked,
            organisation_id, guardian_name, guardian_relation, guardian_consent_date,
            registered_at, registered_by, skills)
          VALUES (\(sequence), \(record.number), \(record.realName), \(record.documentType.rawValue),
            \(Data(record.sealedDocumentNumber)), \(record.documentHash), \(record.maskedDocumentNumber),
            \(record.birthDate.iso8601), \(record.sex.rawValue), \(record.sealedPhone.map { Data($0) }),
            \(record.maskedPhone), \(record.organisationID), \(record.guardianConsent?.guardianName),
            \(record.guardianConsent?.relation), \(record.guardianConsent?.consentDate.iso8601),
            \(record.registeredAt.storedPrecision), \(record.registeredBy), \(try Self.encodeSkills(record.skills)))
          """)
        return (record.number, record)
      }
    }
  }

  public func volunteers(matching query: VolunteerQuery, withinScope scopeOrganisationID: String)
    async throws -> VolunteerPage?
  {
    try await self.read { session in
      guard let root = try await Self.organisation(session, id: query.organisationID, withinScope: scopeOrganisationID)
      else { return nil }
      var sql = """
        SELECT v.* FROM volunteer v JOIN organisation o ON o.id = v.organisation_id
        WHERE starts_with(o.path, $1) AND v.seq > $2
        """
      var binds = PostgresBindings()
      binds.append(root.path)
      binds.append(query.afterSequence)
      if let from = query.registeredFrom {
        binds.append(from.storedPrecision)
        sql += " AND v.registered_at >= $\(binds.count)"
      }
      if let before = query.registeredBefore {
        binds.append(before.storedPrecision)
        sql += " AND v.registered_at < $\(binds.count)"
      }
      if !query.includeWithdrawn { sql += " AND v.withdrawn_at IS NULL" }
      // One extra row tells whether another page follows.
      binds.append(query.pageSize + 1)
      sql += " ORDER BY v.seq LIMIT $\(binds.count)"
      let rows = try await session.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
      let pageRows = rows.prefix(query.pageSize)
      var records: [VolunteerRecord] = []
      for row in pageRows {
        if let record = try await Self.volunteer(from: row, session) { records.append(record) }
      }
      let lastSequence: Int? = try pageRows.last?.get("seq", as: Int.self)
      return VolunteerPage(
        records: records, nextAfterSequence: rows.count > query.pageSize ? lastSequence : nil)
    }
  }

  public func transferVolunteer(
    number: String, to organisationID: String, reason: String, by principalID: String,
    at date: Date, withinScope scopeOrganisationID: String
  ) async throws -> VolunteerRecord? {
    try await self.write { session in
      guard let record = try await Self.fetchVolunteer(session, number),
        try await Self.organisation(session, id: record.organisationID, withinScope: scopeOrganisationID) != nil,
        try await Self.organisation(session, id: organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      guard record.withdrawnAt == nil else {
        throw RecordStoreError.failedPrecondition("volunteer \(number) has withdrawn")
      }
      guard record.organisationID != organisationID else {
        throw RecordStoreError.failedPrecondition(
          "volunteer \(number) is already registered under \(organisationID)")
      }
      try await session.execute(
        """
        INSERT INTO volunteer_transfer (volunteer_number, from_organisation_id,
          to_organisation_id, transferred_at, transferred_by, reason)
        VALUES (\(number), \(record.organisationID), \(organisationID), \(date.storedPrecision),
          \(principalID), \(reason))
        """)
      try await session.execute(
        "UPDATE volunteer SET organisation_id = \(organisationID) WHERE number = \(number)")
      return try await Self.fetchVolunteer(session, number)
    }
  }

  public func withdrawVolunteer(number: String, at date: Date, withinScope scopeOrganisationID: String)
    async throws -> VolunteerRecord?
  {
    // Unlike SQLite's WAL checkpoint, PostgreSQL keeps the old row versions until VACUUM
    // reclaims them: the personal data stays sealed (encrypted) in them, and the
    // deployment guide asks for autovacuum, which clears them.
    try await self.write { session in
      guard let record = try await Self.fetchVolunteer(session, number),
        try await Self.organisation(session, id: record.organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      guard record.withdrawnAt == nil else { return record }
      // The keyed hash becomes a tombstone unique to the number, so the withdrawn person can
      // neither be matched nor block a later registration of their own. Birth year and sex
      // stay, so age-group and sex aggregates stay correct without identifying anyone.
      try await session.execute(
        """
        UPDATE volunteer SET real_name = '', document_sealed = '\\x'::bytea, document_masked = '',
          document_hash = 'withdrawn:' || number, phone_sealed = NULL, phone_masked = NULL,
          guardian_name = NULL, skills = '[]', withdrawn_at = \(date.storedPrecision),
          birth_date = substr(birth_date, 1, 4) || '-01-01'
        WHERE number = \(number)
        """)
      return try await Self.fetchVolunteer(session, number)
    }
  }

  public func volunteer(number: String, withinScope scopeOrganisationID: String) async throws
    -> VolunteerRecord?
  {
    try await self.read { session in
      guard let record = try await Self.fetchVolunteer(session, number),
        try await Self.organisation(session, id: record.organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      return record
    }
  }

  public func sealedPersonalData(afterSequence: Int, limit: Int) async throws -> [SealedPersonalData] {
    try await self.read { session in
      try await session.rows(
        """
        SELECT seq, number, document_type, document_sealed, document_hash, phone_sealed
        FROM volunteer WHERE seq > \(afterSequence) AND withdrawn_at IS NULL ORDER BY seq LIMIT \(limit)
        """
      ).map { row in
        let number: String = try row.get("number")
        let typeText: String = try row.get("document_type")
        // A row skipped here would stay under a key the rotation then destroys: fail instead.
        guard let documentType = DocumentType(rawValue: typeText) else {
          throw RecordStoreError.failedPrecondition(
            "volunteer \(number) has an unknown document type \"\(typeText)\"")
        }
        return SealedPersonalData(
          sequence: try row.get("seq"), number: number, documentType: documentType,
          sealedDocumentNumber: [UInt8](try row.get("document_sealed", as: Data.self)),
          documentHash: try row.get("document_hash"),
          sealedPhone: try row.get("phone_sealed", as: Data?.self).map { [UInt8]($0) })
      }
    }
  }

  public func replaceSealedPersonalData(
    _ changes: [(previous: SealedPersonalData, next: SealedPersonalData)]
  ) async throws -> Int {
    let pairs = changes.map { (previous: $0.previous, next: $0.next) }
    return try await self.write { session in
      var changed = 0
      for (previous, next) in pairs {
        changed += try await session.rows(
          """
          UPDATE volunteer SET document_sealed = \(Data(next.sealedDocumentNumber)),
            document_hash = \(next.documentHash), phone_sealed = \(next.sealedPhone.map { Data($0) })
          WHERE number = \(previous.number) AND document_sealed = \(Data(previous.sealedDocumentNumber))
            AND withdrawn_at IS NULL
          RETURNING 1
          """
        ).count
      }
      return changed
    }
  }
}
