import Foundation

/// Rotates the personal-data keys: a new generation becomes active, every stored ID and phone
/// number is re-sealed under it with its keyed hash recomputed, then the old generation is
/// dropped from the key file.
///
/// Runs with the service stopped (the command holds the data directory's lock), because a
/// running service keeps the ring it loaded at start. Each step is durable before the next:
/// the key file with both generations is written before any row changes, rows change in
/// audited batches, and the old generation goes only after a full pass found no row under
/// it. Interrupted at any point, running it again finishes the same rotation; a ring of two
/// generations is exactly the mark of an unfinished one.
public struct PersonalDataKeyRotation: Sendable {
  /// Progress after each batch.
  public struct Progress: Sendable {
    /// Volunteers with sealed data looked at so far.
    public var scanned: Int
    /// Of those, re-sealed by this run.
    public var resealed: Int
  }

  /// What a rotation did.
  public struct Summary: Sendable {
    /// The generation now active.
    public var activeKeyID: UInt8
    /// The generations dropped from the key file.
    public var retiredKeyIDs: [UInt8]
    /// `true` when this run continued an interrupted rotation instead of starting one.
    public var resumed: Bool
    /// Volunteers with sealed data looked at.
    public var scanned: Int
    /// Of those, re-sealed by this run.
    public var resealed: Int
  }

  private let store: any RecordStore
  private let keyFilePath: String
  private let batchSize: Int

  /// Creates a rotation of the key file at `keyFilePath` over `store`.
  public init(store: any RecordStore, keyFilePath: String, batchSize: Int = 1000) {
    self.store = store
    self.keyFilePath = keyFilePath
    self.batchSize = max(1, batchSize)
  }

  /// Runs the rotation to the end, reporting progress after each batch.
  public func run(progress: (Progress) -> Void = { _ in }) async throws -> Summary {
    var ring = try PersonalDataKeyFile.read(self.keyFilePath)
    let resumed = ring.count > 1
    if !resumed {
      ring.append(.random(id: PersonalDataKeyFile.nextID(after: ring)))
      try PersonalDataKeyFile.write(ring, to: self.keyFilePath)
    }
    let protector = try PersonalDataProtector(ring: ring)
    let active = protector.activeKeyID
    let context = AuditContext(principalID: "system", method: "volunteer-service rotate-personal-data-key")
    var state = Progress(scanned: 0, resealed: 0)
    var after = 0
    while true {
      let page = try await self.store.sealedPersonalData(afterSequence: after, limit: self.batchSize)
      guard let last = page.last else { break }
      after = last.sequence
      state.scanned += page.count
      let changes = try page.compactMap { row in
        try Self.resealed(row, by: protector).map { (previous: row, next: $0) }
      }
      if !changes.isEmpty {
        state.resealed += try await AuditContext.$current.withValue(context) {
          try await self.store.replaceSealedPersonalData(changes)
        }
      }
      progress(state)
    }
    // A second pass proves nothing is left under an old generation before its key is
    // destroyed: a row the first pass skipped (changed in between) would be lost for good.
    after = 0
    while true {
      let page = try await self.store.sealedPersonalData(afterSequence: after, limit: self.batchSize)
      guard let last = page.last else { break }
      after = last.sequence
      if let stale = try page.first(where: { try Self.resealed($0, by: protector) != nil }) {
        throw PersonalDataError(
          message: "volunteer \(stale.number) is still sealed under an old key after the pass; run the rotation again")
      }
    }
    let retired = ring.dropLast().map(\.id)
    if let activeKey = ring.last { try PersonalDataKeyFile.write([activeKey], to: self.keyFilePath) }
    return Summary(
      activeKeyID: active, retiredKeyIDs: retired, resumed: resumed, scanned: state.scanned,
      resealed: state.resealed)
  }

  /// `row` re-sealed under the active generation, or `nil` when it already is.
  static func resealed(_ row: SealedPersonalData, by protector: PersonalDataProtector) throws
    -> SealedPersonalData?
  {
    let active = protector.activeKeyID
    let documentCurrent = PersonalDataProtector.keyID(ofSealed: row.sealedDocumentNumber) == active
    let phoneCurrent = row.sealedPhone.map { PersonalDataProtector.keyID(ofSealed: $0) == active } ?? true
    guard !(documentCurrent && phoneCurrent) else { return nil }
    let document = try protector.open(row.sealedDocumentNumber)
    var next = row
    next.sealedDocumentNumber = try protector.seal(document)
    next.documentHash = protector.documentHash(type: row.documentType, number: document)
    next.sealedPhone = try row.sealedPhone.map { try protector.seal(try protector.open($0)) }
    return next
  }
}
