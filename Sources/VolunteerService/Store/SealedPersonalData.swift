/// A volunteer's sealed personal identifiers and keyed hash, as a key rotation reads and
/// rewrites them.
public struct SealedPersonalData: Sendable, Hashable {
  /// Registration order: rotation pages through the volunteers by it.
  public var sequence: Int
  /// The volunteer number.
  public var number: String
  /// The document type, part of the keyed hash.
  public var documentType: DocumentType
  /// The sealed document number (empty once the volunteer withdrew).
  public var sealedDocumentNumber: [UInt8]
  /// The keyed hash of type and number.
  public var documentHash: String
  /// The sealed phone number, if one was given.
  public var sealedPhone: [UInt8]?

  /// Creates a value.
  public init(
    sequence: Int, number: String, documentType: DocumentType, sealedDocumentNumber: [UInt8],
    documentHash: String, sealedPhone: [UInt8]?
  ) {
    self.sequence = sequence
    self.number = number
    self.documentType = documentType
    self.sealedDocumentNumber = sealedDocumentNumber
    self.documentHash = documentHash
    self.sealedPhone = sealedPhone
  }
}
