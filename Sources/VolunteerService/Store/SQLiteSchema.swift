import GRDB

/// The SQLite schema as code: each migration is applied once, in order, and recorded in
/// the database, so a deployment upgrades by simply starting the new version.
enum SQLiteSchema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1: organisations, principals, volunteers, idempotency") { db in
      try db.execute(
        sql: """
          CREATE TABLE organisation (
            id TEXT PRIMARY KEY NOT NULL,
            parent_id TEXT REFERENCES organisation(id),
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            region_code TEXT NOT NULL,
            path TEXT NOT NULL UNIQUE,
            created_at DATETIME NOT NULL
          );
          CREATE TABLE principal (
            id TEXT PRIMARY KEY NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'partner', 'auditor')),
            scope_organisation_id TEXT NOT NULL REFERENCES organisation(id),
            display_name TEXT NOT NULL,
            enabled BOOLEAN NOT NULL,
            created_at DATETIME NOT NULL,
            created_by TEXT NOT NULL
          );
          CREATE TABLE volunteer (
            seq INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            real_name TEXT NOT NULL,
            document_type TEXT NOT NULL,
            document_sealed BLOB NOT NULL,
            document_hash TEXT NOT NULL UNIQUE,
            document_masked TEXT NOT NULL,
            birth_date TEXT NOT NULL,
            sex TEXT NOT NULL,
            phone_sealed BLOB,
            phone_masked TEXT,
            organisation_id TEXT NOT NULL REFERENCES organisation(id),
            guardian_name TEXT,
            guardian_relation TEXT,
            guardian_consent_date TEXT,
            registered_at DATETIME NOT NULL,
            registered_by TEXT NOT NULL
          );
          CREATE INDEX volunteer_organisation ON volunteer(organisation_id);
          CREATE TABLE idempotency_key (
            principal_id TEXT NOT NULL,
            key TEXT NOT NULL,
            method TEXT NOT NULL,
            request_digest BLOB NOT NULL,
            result_id TEXT NOT NULL,
            created_at DATETIME NOT NULL,
            PRIMARY KEY (principal_id, key)
          ) WITHOUT ROWID;
          """)
    }
    migrator.registerMigration("v2: skills, withdrawal, transfers") { db in
      try db.execute(
        sql: """
          ALTER TABLE volunteer ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
          ALTER TABLE volunteer ADD COLUMN withdrawn_at DATETIME;
          CREATE INDEX volunteer_registered_at ON volunteer(registered_at);
          CREATE TABLE volunteer_transfer (
            id INTEGER PRIMARY KEY,
            volunteer_number TEXT NOT NULL REFERENCES volunteer(number),
            from_organisation_id TEXT NOT NULL REFERENCES organisation(id),
            to_organisation_id TEXT NOT NULL REFERENCES organisation(id),
            transferred_at DATETIME NOT NULL,
            transferred_by TEXT NOT NULL,
            reason TEXT NOT NULL
          );
          CREATE INDEX volunteer_transfer_number ON volunteer_transfer(volunteer_number);
          """)
    }
    migrator.registerMigration("v3: activities and the hours ledger") { db in
      try db.execute(
        sql: """
          CREATE TABLE activity (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            organisation_id TEXT NOT NULL REFERENCES organisation(id),
            title TEXT NOT NULL,
            category TEXT NOT NULL,
            region_code TEXT NOT NULL,
            place TEXT NOT NULL,
            start_time DATETIME NOT NULL,
            end_time DATETIME NOT NULL,
            planned_minutes INTEGER NOT NULL,
            person_in_charge TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'closed')),
            created_at DATETIME NOT NULL,
            created_by TEXT NOT NULL
          );
          CREATE INDEX activity_organisation ON activity(organisation_id, start_time);
          CREATE TABLE service_record (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            volunteer_number TEXT NOT NULL REFERENCES volunteer(number),
            activity_id TEXT NOT NULL REFERENCES activity(id),
            organisation_id TEXT NOT NULL REFERENCES organisation(id),
            start_time DATETIME NOT NULL,
            end_time DATETIME NOT NULL,
            -- Entries serve positive minutes; reversals and adjustments carry a signed delta.
            kind TEXT NOT NULL CHECK (kind IN ('entry', 'reversal', 'adjustment')),
            corrects_record_id TEXT REFERENCES service_record(id),
            minutes INTEGER NOT NULL CHECK (kind != 'entry' OR minutes > 0),
            credited_half_hours INTEGER NOT NULL,
            content TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
            late BOOLEAN NOT NULL,
            submitted_by TEXT NOT NULL,
            submitted_at DATETIME NOT NULL,
            reviewed_by TEXT,
            reviewed_at DATETIME,
            review_reason TEXT,
            cap_override TEXT NOT NULL
          );
          CREATE INDEX service_record_volunteer ON service_record(volunteer_number, start_time);
          CREATE INDEX service_record_organisation ON service_record(organisation_id, start_time);
          CREATE INDEX service_record_corrects ON service_record(corrects_record_id);
          -- Approved records are never edited or deleted: corrections are new entries.
          CREATE TRIGGER service_record_approved_immutable BEFORE UPDATE ON service_record
            WHEN OLD.status = 'approved'
            BEGIN SELECT RAISE(ABORT, 'approved service records are immutable'); END;
          CREATE TRIGGER service_record_approved_kept BEFORE DELETE ON service_record
            WHEN OLD.status = 'approved'
            BEGIN SELECT RAISE(ABORT, 'approved service records are never deleted'); END;
          CREATE TABLE volunteer_day_minutes (
            volunteer_number TEXT NOT NULL,
            day TEXT NOT NULL,
            minutes INTEGER NOT NULL,
            PRIMARY KEY (volunteer_number, day)
          ) WITHOUT ROWID;
          CREATE TABLE volunteer_totals (
            volunteer_number TEXT PRIMARY KEY NOT NULL,
            approved_minutes INTEGER NOT NULL,
            approved_credited_half_hours INTEGER NOT NULL,
            approved_records INTEGER NOT NULL
          ) WITHOUT ROWID;
          """)
    }
    migrator.registerMigration("v4: training and awards") { db in
      try db.execute(
        sql: """
          CREATE TABLE training_record (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            volunteer_number TEXT NOT NULL REFERENCES volunteer(number),
            organisation_id TEXT NOT NULL REFERENCES organisation(id),
            title TEXT NOT NULL,
            start_time DATETIME NOT NULL,
            end_time DATETIME NOT NULL,
            minutes INTEGER NOT NULL CHECK (minutes > 0),
            recorded_by TEXT NOT NULL,
            recorded_at DATETIME NOT NULL
          );
          CREATE INDEX training_record_volunteer ON training_record(volunteer_number);
          CREATE TABLE award_record (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            volunteer_number TEXT NOT NULL REFERENCES volunteer(number),
            organisation_id TEXT NOT NULL REFERENCES organisation(id),
            title TEXT NOT NULL,
            level TEXT NOT NULL,
            awarded_on TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            recorded_at DATETIME NOT NULL
          );
          CREATE INDEX award_record_volunteer ON award_record(volunteer_number);
          """)
    }
    migrator.registerMigration("v5: evaluation credit buckets and policies") { db in
      // Approved credit kept in the same transaction as the approval or correction that
      // changes it, so an evaluation reads a handful of rows, never the records:
      // - volunteer_credit: per day and activity, for the trailing 12 months (at most a
      //   year of rows) and for evaluations as of a past day;
      // - volunteer_category_credit: lifetime per activity category (modules, totals);
      // - volunteer_activity_credit: per activity, for distinct activity and organisation
      //   counts.
      // The backfill reads days at UTC+8 (Asia/Shanghai, the only zone deployed before).
      try db.execute(
        sql: """
          CREATE TABLE volunteer_credit (
            volunteer_number TEXT NOT NULL,
            day TEXT NOT NULL,
            activity_id TEXT NOT NULL,
            organisation_id TEXT NOT NULL,
            category TEXT NOT NULL,
            minutes INTEGER NOT NULL,
            credited_half_hours INTEGER NOT NULL,
            records INTEGER NOT NULL,
            PRIMARY KEY (volunteer_number, day, activity_id)
          ) WITHOUT ROWID;
          INSERT INTO volunteer_credit
            SELECT r.volunteer_number, date(r.start_time, '+8 hours'), r.activity_id,
              r.organisation_id, a.category, SUM(r.minutes), SUM(r.credited_half_hours),
              SUM(CASE r.kind WHEN 'entry' THEN 1 WHEN 'reversal' THEN -1 ELSE 0 END)
            FROM service_record r JOIN activity a ON a.id = r.activity_id
            WHERE r.status = 'approved'
            GROUP BY r.volunteer_number, date(r.start_time, '+8 hours'), r.activity_id;
          CREATE TABLE volunteer_category_credit (
            volunteer_number TEXT NOT NULL,
            category TEXT NOT NULL,
            minutes INTEGER NOT NULL,
            credited_half_hours INTEGER NOT NULL,
            records INTEGER NOT NULL,
            PRIMARY KEY (volunteer_number, category)
          ) WITHOUT ROWID;
          INSERT INTO volunteer_category_credit
            SELECT volunteer_number, category, SUM(minutes), SUM(credited_half_hours), SUM(records)
            FROM volunteer_credit GROUP BY volunteer_number, category;
          CREATE TABLE volunteer_activity_credit (
            volunteer_number TEXT NOT NULL,
            activity_id TEXT NOT NULL,
            organisation_id TEXT NOT NULL,
            first_day TEXT NOT NULL,
            records INTEGER NOT NULL,
            PRIMARY KEY (volunteer_number, activity_id)
          ) WITHOUT ROWID;
          INSERT INTO volunteer_activity_credit
            SELECT volunteer_number, activity_id, organisation_id, MIN(day), SUM(records)
            FROM volunteer_credit GROUP BY volunteer_number, activity_id;
          CREATE TABLE evaluation_policy (
            id TEXT NOT NULL,
            version INTEGER NOT NULL,
            title TEXT NOT NULL,
            document TEXT NOT NULL,
            loaded_at DATETIME NOT NULL,
            loaded_by TEXT NOT NULL,
            PRIMARY KEY (id, version)
          );
          """)
    }
    migrator.registerMigration("v6: keyset paging of a volunteer's records") { db in
      try db.execute(
        sql: "CREATE INDEX service_record_volunteer_seq ON service_record(volunteer_number, seq)")
    }
    migrator.registerMigration("v7: credentials") { db in
      // Status list positions are unique per list, so a bit can only ever speak for one
      // credential; the token is kept as issued (never re-signed).
      try db.execute(
        sql: """
          CREATE TABLE credential (
            seq INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            volunteer_number TEXT NOT NULL REFERENCES volunteer(number),
            organisation_id TEXT NOT NULL REFERENCES organisation(id),
            token TEXT NOT NULL,
            kid TEXT NOT NULL,
            issued_at DATETIME NOT NULL,
            valid_until DATETIME,
            revocation_index INTEGER NOT NULL UNIQUE,
            suspension_index INTEGER NOT NULL UNIQUE,
            state TEXT NOT NULL CHECK (state IN ('active', 'suspended', 'revoked')),
            state_reason TEXT,
            state_changed_at DATETIME,
            state_changed_by TEXT,
            issued_by TEXT NOT NULL,
            star_level INTEGER NOT NULL,
            policy_id TEXT NOT NULL,
            policy_version INTEGER NOT NULL,
            evidence_digest TEXT NOT NULL,
            evidence_records INTEGER NOT NULL,
            evidence TEXT NOT NULL
          );
          CREATE INDEX credential_organisation ON credential(organisation_id, issued_at);
          CREATE INDEX credential_state ON credential(state);
          -- A revoked credential stays revoked.
          CREATE TRIGGER credential_revocation_final BEFORE UPDATE OF state ON credential
            WHEN OLD.state = 'revoked' AND NEW.state != 'revoked'
            BEGIN SELECT RAISE(ABORT, 'a revoked credential stays revoked'); END;
          """)
    }
    migrator.registerMigration("v8: audit hash chain") { db in
      try SQLiteAuditLog.migrate(db)
    }
    return migrator
  }
}
