import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema as code: an ordered list of versioned steps, each applied in one
/// transaction and recorded in `schema_migrations`, so a deployment upgrades by starting the
/// new version, and several instances starting at once apply each step exactly once (they
/// queue on an advisory lock and re-check the table under it).
///
/// Tables, columns and their order mirror the SQLite store's final schema (SQLiteSchema v1-v8)
/// column for column: the audit digests of a row are computed over its columns in table
/// order, and the same row must digest the same on both stores for a migrated audit chain
/// to verify.
enum PostgresSchema {
  /// `pg_advisory_xact_lock` key serialising schema changes across instances.
  static let migrationLockKey: Int64 = 0x5652_5300_0000_0001

  static let migrations: [PostgresMigration] = [
    PostgresMigration(version: 1, name: "records, ledger, credentials, policies", sql: """
      CREATE TABLE organisation (
        id TEXT PRIMARY KEY,
        parent_id TEXT REFERENCES organisation(id),
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        region_code TEXT NOT NULL,
        path TEXT NOT NULL UNIQUE,
        created_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX organisation_path ON organisation (path text_pattern_ops);
      CREATE TABLE principal (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('admin', 'partner', 'auditor')),
        scope_organisation_id TEXT NOT NULL REFERENCES organisation(id),
        display_name TEXT NOT NULL,
        enabled BOOLEAN NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE TABLE volunteer (
        seq BIGINT PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        real_name TEXT NOT NULL,
        document_type TEXT NOT NULL,
        document_sealed BYTEA NOT NULL,
        document_hash TEXT NOT NULL UNIQUE,
        document_masked TEXT NOT NULL,
        birth_date TEXT NOT NULL,
        sex TEXT NOT NULL,
        phone_sealed BYTEA,
        phone_masked TEXT,
        organisation_id TEXT NOT NULL REFERENCES organisation(id),
        guardian_name TEXT,
        guardian_relation TEXT,
        guardian_consent_date TEXT,
        registered_at TIMESTAMPTZ NOT NULL,
        registered_by TEXT NOT NULL,
        skills TEXT NOT NULL DEFAULT '[]',
        withdrawn_at TIMESTAMPTZ
      );
      CREATE INDEX volunteer_organisation ON volunteer(organisation_id);
      CREATE INDEX volunteer_registered_at ON volunteer(registered_at);
      CREATE TABLE idempotency_key (
        principal_id TEXT NOT NULL,
        key TEXT NOT NULL,
        method TEXT NOT NULL,
        request_digest BYTEA NOT NULL,
        result_id TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (principal_id, key)
      );
      CREATE TABLE volunteer_transfer (
        id BIGSERIAL PRIMARY KEY,
        volunteer_number TEXT NOT NULL REFERENCES volunteer(number),
        from_organisation_id TEXT NOT NULL REFERENCES organisation(id),
        to_organisation_id TEXT NOT NULL REFERENCES organisation(id),
        transferred_at TIMESTAMPTZ NOT NULL,
        transferred_by TEXT NOT NULL,
        reason TEXT NOT NULL
      );
      CREATE INDEX volunteer_transfer_number ON volunteer_transfer(volunteer_number);
      CREATE TABLE activity (
        seq BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        organisation_id TEXT NOT NULL REFERENCES organisation(id),
        title TEXT NOT NULL,
        category TEXT NOT NULL,
        region_code TEXT NOT NULL,
        place TEXT NOT NULL,
        start_time TIMESTAMPTZ NOT NULL,
        end_time TIMESTAMPTZ NOT NULL,
        planned_minutes BIGINT NOT NULL,
        person_in_charge TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'closed')),
        created_at TIMESTAMPTZ NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE INDEX activity_organisation ON activity(organisation_id, start_time);
      CREATE TABLE service_record (
        seq BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        volunteer_number TEXT NOT NULL REFERENCES volunteer(number),
        activity_id TEXT NOT NULL REFERENCES activity(id),
        organisation_id TEXT NOT NULL REFERENCES organisation(id),
        start_time TIMESTAMPTZ NOT NULL,
        end_time TIMESTAMPTZ NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('entry', 'reversal', 'adjustment')),
        corrects_record_id TEXT REFERENCES service_record(id),
        minutes BIGINT NOT NULL CHECK (kind != 'entry' OR minutes > 0),
        credited_half_hours BIGINT NOT NULL,
        content TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
        late BOOLEAN NOT NULL,
        submitted_by TEXT NOT NULL,
        submitted_at TIMESTAMPTZ NOT NULL,
        reviewed_by TEXT,
        reviewed_at TIMESTAMPTZ,
        review_reason TEXT,
        cap_override TEXT NOT NULL
      );
      CREATE INDEX service_record_volunteer ON service_record(volunteer_number, start_time);
      CREATE INDEX service_record_organisation ON service_record(organisation_id, start_time);
      CREATE INDEX service_record_corrects ON service_record(corrects_record_id);
      CREATE INDEX service_record_volunteer_seq ON service_record(volunteer_number, seq);
      -- Approved records are never edited or deleted: corrections are new entries. A trigger,
      -- not only the code, so a second instance of another version cannot break the rule.
      CREATE FUNCTION service_record_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'approved service records are never deleted' USING ERRCODE = 'P0001';
        END IF;
        RAISE EXCEPTION 'approved service records are immutable' USING ERRCODE = 'P0001';
      END $$;
      CREATE TRIGGER service_record_approved_immutable BEFORE UPDATE OR DELETE ON service_record
        FOR EACH ROW WHEN (OLD.status = 'approved') EXECUTE FUNCTION service_record_immutable();
      CREATE TABLE volunteer_day_minutes (
        volunteer_number TEXT NOT NULL,
        day TEXT NOT NULL,
        minutes BIGINT NOT NULL,
        PRIMARY KEY (volunteer_number, day)
      );
      CREATE TABLE volunteer_totals (
        volunteer_number TEXT PRIMARY KEY,
        approved_minutes BIGINT NOT NULL,
        approved_credited_half_hours BIGINT NOT NULL,
        approved_records BIGINT NOT NULL
      );
      CREATE TABLE training_record (
        seq BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        volunteer_number TEXT NOT NULL REFERENCES volunteer(number),
        organisation_id TEXT NOT NULL REFERENCES organisation(id),
        title TEXT NOT NULL,
        start_time TIMESTAMPTZ NOT NULL,
        end_time TIMESTAMPTZ NOT NULL,
        minutes BIGINT NOT NULL CHECK (minutes > 0),
        recorded_by TEXT NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX training_record_volunteer ON training_record(volunteer_number);
      CREATE TABLE award_record (
        seq BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        volunteer_number TEXT NOT NULL REFERENCES volunteer(number),
        organisation_id TEXT NOT NULL REFERENCES organisation(id),
        title TEXT NOT NULL,
        level TEXT NOT NULL,
        awarded_on TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX award_record_volunteer ON award_record(volunteer_number);
      CREATE TABLE volunteer_credit (
        volunteer_number TEXT NOT NULL,
        day TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        organisation_id TEXT NOT NULL,
        category TEXT NOT NULL,
        minutes BIGINT NOT NULL,
        credited_half_hours BIGINT NOT NULL,
        records BIGINT NOT NULL,
        PRIMARY KEY (volunteer_number, day, activity_id)
      );
      CREATE TABLE volunteer_category_credit (
        volunteer_number TEXT NOT NULL,
        category TEXT NOT NULL,
        minutes BIGINT NOT NULL,
        credited_half_hours BIGINT NOT NULL,
        records BIGINT NOT NULL,
        PRIMARY KEY (volunteer_number, category)
      );
      CREATE TABLE volunteer_activity_credit (
        volunteer_number TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        organisation_id TEXT NOT NULL,
        first_day TEXT NOT NULL,
        records BIGINT NOT NULL,
        PRIMARY KEY (volunteer_number, activity_id)
      );
      CREATE TABLE evaluation_policy (
        id TEXT NOT NULL,
        version BIGINT NOT NULL,
        title TEXT NOT NULL,
        document TEXT NOT NULL,
        loaded_at TIMESTAMPTZ NOT NULL,
        loaded_by TEXT NOT NULL,
        PRIMARY KEY (id, version)
      );
      -- Status list positions are unique per list, so a bit only ever speaks for one
      -- credential, whichever instance allocated it.
      CREATE TABLE credential (
        seq BIGINT PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        volunteer_number TEXT NOT NULL REFERENCES volunteer(number),
        organisation_id TEXT NOT NULL REFERENCES organisation(id),
        token TEXT NOT NULL,
        kid TEXT NOT NULL,
        issued_at TIMESTAMPTZ NOT NULL,
        valid_until TIMESTAMPTZ,
        revocation_index BIGINT NOT NULL UNIQUE,
        suspension_index BIGINT NOT NULL UNIQUE,
        state TEXT NOT NULL CHECK (state IN ('active', 'suspended', 'revoked')),
        state_reason TEXT,
        state_changed_at TIMESTAMPTZ,
        state_changed_by TEXT,
        issued_by TEXT NOT NULL,
        star_level BIGINT NOT NULL,
        policy_id TEXT NOT NULL,
        policy_version BIGINT NOT NULL,
        evidence_digest TEXT NOT NULL,
        evidence_records BIGINT NOT NULL,
        evidence TEXT NOT NULL
      );
      CREATE INDEX credential_organisation ON credential(organisation_id, issued_at);
      CREATE INDEX credential_state ON credential(state);
      CREATE FUNCTION credential_revocation_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'a revoked credential stays revoked' USING ERRCODE = 'P0001';
      END $$;
      CREATE TRIGGER credential_revocation_final BEFORE UPDATE OF state ON credential
        FOR EACH ROW WHEN (OLD.state = 'revoked' AND NEW.state != 'revoked')
        EXECUTE FUNCTION credential_revocation_final();
      """),
    PostgresMigration(version: 2, name: "audit hash chain") { session in
      try await PostgresAuditLog.migrate(session)
    },
  ]

  /// Applies every step not yet recorded, each in its own transaction under the migration
  /// lock, so instances starting together never apply a step twice.
  static func migrate(_ client: PostgresClient, logger: Logger) async throws {
    try await client.withConnection { connection in
      let session = PostgresSession(connection: connection, logger: logger)
      try await session.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version BIGINT PRIMARY KEY,
          name TEXT NOT NULL,
          applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """)
      for migration in Self.migrations {
        try await session.execute("BEGIN")
        do {
          try await session.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))")
          let done = try await session.scalar(
            "SELECT 1::BIGINT FROM schema_migrations WHERE version = \(migration.version)", as: Int.self)
          if done == nil {
            try await migration.apply(session)
            try await session.execute(
              "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
            logger.info("applied PostgreSQL schema step \(migration.version): \(migration.name)")
          }
          try await session.execute("COMMIT")
        } catch {
          try? await session.execute("ROLLBACK")
          throw error
        }
      }
    }
  }
}
