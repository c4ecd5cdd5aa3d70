import Crypto
import Foundation
import Testing

@testable import Credentials

@Suite struct EvidenceDigestTests {
  /// The worked example in docs/CREDENTIALS.md.
  @Test func workedExample() throws {
    let encoding = try EvidenceDigest.canonicalEncoding(of: Fixtures.evidenceRecords)
    #expect(String(decoding: encoding, as: UTF8.self) == "vrs-evidence-v1\nR-000003,90\nR-000017,120\nR-000101,45\n")
    let digest = try EvidenceDigest.compute(Fixtures.evidenceRecords)
    #expect(digest.sha256 == Data(SHA256.hash(data: encoding)))
    #expect(digest.recordCount == 3)
    #expect(digest.totalMinutes == 255)
    #expect(digest.sri == "sha256-" + digest.sha256.base64EncodedString())
    #expect(try EvidenceDigest.parseSRI(digest.sri) == digest.sha256)
    // Known answer, also computed independently with `printf ... | sha256sum` (docs/CREDENTIALS.md).
    #expect(digest.hex == "639c10591c20475c947075c59153a13581634cda647e690f6e5f06ce636efabb")
    #expect(digest.sri == "sha256-Y5wQWRwgR1yUcHXFkVOhNYFjTNpkfmkPbl8GzmNu+rs=")
  }

  @Test func orderIndependentAndExportRecompute() throws {
    let digest = try EvidenceDigest.compute(Fixtures.evidenceRecords)
    #expect(try EvidenceDigest.compute(Fixtures.evidenceRecords.reversed()) == digest)
    let export = "recordId,minutes\r\nR-000101,45\r\nR-000003,90\r\n\r\nR-000017,120\r\n"
    #expect(try EvidenceDigest.compute(fromExport: export) == digest)
    // Any change to the counted records changes the digest.
    var changed = Fixtures.evidenceRecords
    changed[0].minutes += 1
    #expect(try EvidenceDigest.compute(changed) != digest)
    #expect(try EvidenceDigest.compute(Array(Fixtures.evidenceRecords.dropLast())) != digest)
  }

  @Test func byteOrderSort() throws {
    let records = [EvidenceRecord(recordID: "b", minutes: 1), EvidenceRecord(recordID: "B", minutes: 2),
                   EvidenceRecord(recordID: "10", minutes: 3), EvidenceRecord(recordID: "9", minutes: 4)]
    #expect(String(decoding: try EvidenceDigest.canonicalEncoding(of: records), as: UTF8.self)
            == "vrs-evidence-v1\n10,3\n9,4\nB,2\nb,1\n")
    #expect(String(decoding: try EvidenceDigest.canonicalEncoding(of: []), as: UTF8.self) == "vrs-evidence-v1\n")
  }

  @Test func rejectsBadRecords() {
    #expect(throws: EvidenceError.duplicateRecord("R1")) {
      try EvidenceDigest.compute([.init(recordID: "R1", minutes: 1), .init(recordID: "R1", minutes: 2)])
    }
    #expect(throws: EvidenceError.invalidRecordID("a,b")) { try EvidenceDigest.compute([.init(recordID: "a,b", minutes: 1)]) }
    #expect(throws: EvidenceError.invalidRecordID("")) { try EvidenceDigest.compute([.init(recordID: "", minutes: 1)]) }
    #expect(throws: EvidenceError.invalidRecordID("a\nb")) { try EvidenceDigest.compute([.init(recordID: "a\nb", minutes: 1)]) }
    #expect(throws: EvidenceError.negativeMinutes(recordID: "R1", minutes: -1)) {
      try EvidenceDigest.compute([.init(recordID: "R1", minutes: -1)])
    }
    #expect(throws: EvidenceError.malformedLine(number: 1, text: "R1;5")) { try EvidenceDigest.compute(fromExport: "R1;5") }
    #expect(throws: EvidenceError.malformedLine(number: 2, text: "R2,x")) { try EvidenceDigest.compute(fromExport: "R1,5\nR2,x") }
    #expect(throws: EvidenceError.self) { try EvidenceDigest.parseSRI("sha256-AAAA") }
    #expect(throws: EvidenceError.self) { try EvidenceDigest.parseSRI("sha384-" + Data(count: 32).base64EncodedString()) }
  }
}
