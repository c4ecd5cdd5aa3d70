import AuditTrail
import Credentials
import Foundation
import GRDB
import GRPCCore
import NIOCore
import SwiftProtobuf
import Testing
import WireProtocol

@testable import VolunteerService

/// The audit hash chain: one entry per change, in the change's transaction; verification
/// catches edits to entries and to audited rows made behind the service's back.
@Suite("Audit log")
struct AuditLogTests {
  static func verify(port: Int) async throws -> Volunteer_V1_AuditReport {
    try await withClient(port: port, certificate: "admin") { client in
      try await Volunteer_V1_Audit.Client(wrapping: client).verifyAudit(.init())
    }
  }

  /// Registers a volunteer, creates and publishes an activity and logs one record.
  static func populate(port: Int) async throws {
    try await withClient(port: port, certificate: "admin") { client in
      _ = try await Volunteer_V1_Volunteers.Client(wrapping: client).registerVolunteer(
        ServiceEndToEndTests.registration(key: "audit-reg-1"))
      _ = try await Volunteer_V1_Organisations.Client(wrapping: client).createOrganisation(
        .with {
          $0.id = "audit-county"
          $0.name = "Audit County"
          $0.kind = .county
          $0.parentID = "national"
          $0.regionCode = "110105"
        })
    }
  }

  @Test("each change is one entry naming caller, method and rows; a replay adds none; no personal data")
  func entries() async throws {
    try await withRunningServer(configure: { $0.port = 0 }) { server, dataDirectory in
      let port = try #require(try await server.transport.listeningAddress.port)
      let before = try await Self.verify(port: port)
      #expect(before.valid, "\(before.problems)")
      try await Self.populate(port: port)
      let after = try await Self.verify(port: port)
      #expect(after.valid, "\(after.problems)")
      #expect(after.head.size == before.head.size + 2)
      #expect(after.rows > before.rows)

      // The same registration again replays: no new entry.
      try await withClient(port: port, certificate: "admin") { client in
        _ = try await Volunteer_V1_Volunteers.Client(wrapping: client).registerVolunteer(
          ServiceEndToEndTests.registration(key: "audit-reg-1"))
      }
      #expect(try await Self.verify(port: port).head.size == after.head.size)

      let store = try SQLiteRecordStore(path: dataDirectory + "/volunteer.sqlite")
      let entries = try await store.auditEntries(from: 1, through: .max, limit: 1_000)
      let registration = try #require(entries.first { $0.method == "volunteer.v1.Volunteers/RegisterVolunteer" })
      #expect(registration.principalID == "spiffe://volunteer/admin/bootstrap")
      #expect(registration.targets.contains { $0.table == "volunteer" })
      #expect(registration.requestDigest.count == 64)
      let text = String(decoding: try AuditExport.encode(.entry(registration)), as: UTF8.self)
      for secret in [ServiceEndToEndTests.adultID, "张三丰", "13800138000", "138 0013 8000"] {
        #expect(!text.contains(secret))
      }
    }
  }

  @Test("checkpoints sign the head; an export verifies offline and fails once edited")
  func checkpointAndExport() async throws {
    try await withRunningServer(configure: { $0.auditCheckpointIntervalSeconds = 0 }) { server, _ in
      let port = try #require(try await server.transport.listeningAddress.port)
      try await Self.populate(port: port)
      let (checkpoint, export) = try await withClient(port: port, certificate: "admin") { client in
        let audit = Volunteer_V1_Audit.Client(wrapping: client)
        let checkpoint = try await audit.createCheckpoint(.init())
        let again = try await audit.createCheckpoint(.init())
        #expect(again == checkpoint)
        let export = try await audit.exportAudit(.init()) { response in
          var data = Data()
          for try await chunk in response.messages { data += chunk.lines }
          return data
        }
        return (checkpoint, export)
      }
      #expect(checkpoint.size >= 2)
      let lines = export.split(separator: 0x0A).map { Data($0) }
      let report = try AuditExport.verify(lines: lines)
      #expect(report.isValid, "\(report.problems)")
      #expect(report.checkpoints == 1)
      #expect(report.size == checkpoint.size)
      // Judged by a key set that does not hold the signing key, the checkpoint fails.
      let foreign = try AuditExport.verify(lines: lines, trustedKeySet: JWKSet(keys: []))
      #expect(foreign.problems.contains { $0.hasPrefix("with the trusted key set: ") })

      // One changed character in an entry, a dropped entry, two entries swapped.
      let entryIndexes = lines.indices.filter { lines[$0].starts(with: Data(#"{"entry""#.utf8)) }
      var edited = lines
      edited[entryIndexes[0]] = Data(String(decoding: lines[entryIndexes[0]], as: UTF8.self)
        .replacingOccurrences(of: "bootstrap", with: "bootstrAp").utf8)
      #expect(!(try AuditExport.verify(lines: edited)).isValid)
      var dropped = lines
      dropped.remove(at: entryIndexes[1])
      #expect(!(try AuditExport.verify(lines: dropped)).isValid)
      var swapped = lines
      swapped.swapAt(entryIndexes[0], entryIndexes[1])
      #expect(!(try AuditExport.verify(lines: swapped)).isValid)
    }
  }

  @Test("a row or entry edited in the database file is caught by online verification")
  func tamperingWithTheFile() async throws {
    let dataDirectory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
    func serve(_ body: (Int) async throws -> Void) async throws {
      try await withRunningServer(configure: { $0.dataDirectory = dataDirectory }) { server, _ in
        try await body(try #require(try await server.transport.listeningAddress.port))
      }
    }
    try await serve { port in
      try await Self.populate(port: port)
      #expect(try await Self.verify(port: port).valid)
    }
    let path = dataDirectory + "/volunteer.sqlite"
    let snapshot = dataDirectory + "/snapshot.sqlite"
    try FileManager.default.copyItem(atPath: path, toPath: snapshot)

    // Without the service's function the audit triggers fail, so a tamperer drops one first.
    let direct = try DatabaseQueue(path: path)
    await #expect(throws: (any Error).self) {
      try await direct.write { try $0.execute(sql: "UPDATE organisation SET name = 'Forged' WHERE id = 'audit-county'") }
    }
    try await direct.write { db in
      try db.execute(sql: "DROP TRIGGER audit_organisation_update")
      try db.execute(sql: "UPDATE organisation SET name = 'Forged' WHERE id = 'audit-county'")
    }
    try direct.close()
    try await serve { port in
      let report = try await Self.verify(port: port)
      #expect(!report.valid)
      #expect(report.problems.contains { $0.contains("organisation [\"audit-county\"]") && $0.contains("changed outside") })
      #expect(report.problems.contains { $0.contains("trigger on update is missing") })
    }

    // A row deleted, and an entry's principal rewritten, on a fresh copy of the good file.
    for (sql, expected) in [
      ("DELETE FROM organisation WHERE id = 'audit-county'", "deleted outside"),
      ("UPDATE audit_entry SET principal_id = 'someone-else' WHERE seq = 2", "content does not match its hash"),
      ("DELETE FROM audit_entry WHERE seq = 1", "expected entry 1"),
    ] {
      try FileManager.default.removeItem(atPath: path)
      for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
      try FileManager.default.copyItem(atPath: snapshot, toPath: path)
      let queue = try DatabaseQueue(path: path)
      try await queue.writeWithoutTransaction { db in
        for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit_%'") {
          try db.execute(sql: "DROP TRIGGER \(trigger)")
        }
        try db.execute(sql: "PRAGMA foreign_keys = OFF")
        try db.execute(sql: sql)
      }
      try queue.close()
      let store = try SQLiteRecordStore(path: path)
      let report = try await store.verifyAudit(keySet: .init(keys: []))
      #expect(!report.isValid, "\(sql)")
      #expect(report.problems.contains { $0.contains(expected) }, "\(sql): \(report.problems)")
    }
  }
}
