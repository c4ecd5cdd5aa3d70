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
    return migrator
  }
}
