import Foundation

/// A guardian's recorded consent for a volunteer under 18.
public struct GuardianConsent: Sendable, Hashable, Codable {
  public var guardianName: String
  /// For example "mother", "father", "legal guardian".
  public var relation: String
  public var consentDate: CalendarDate

  /// Creates a consent record.
  public init(guardianName: String, relation: String, consentDate: CalendarDate) {
    self.guardianName = guardianName
    self.relation = relation
    self.consentDate = consentDate
  }
}

/// A registration that passed every domain rule, ready to be protected and stored.
public struct VolunteerRegistration: Sendable, Hashable {
  public var realName: String
  public var document: IdentityDocument
  /// Normalised 11-digit mainland mobile number.
  public var phone: String?
  public var organisationID: String
  public var guardianConsent: GuardianConsent?
  /// Free-text skills, trimmed, duplicates removed, in the order given.
  public var skills: [String] = []

  /// Checks and normalises skills: at most 20, each 1-40 characters once trimmed.
  public static func validatedSkills(_ skills: [String]) throws(IdentityValidationError) -> [String] {
    var seen = Set<String>()
    var result: [String] = []
    for raw in skills {
      let skill = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      guard (1...40).contains(skill.count),
        skill.unicodeScalars.allSatisfy({ !CharacterSet.controlCharacters.contains($0) })
      else {
        throw IdentityValidationError(
          field: "skills", reason: "each skill is 1-40 characters without control characters")
      }
      if seen.insert(skill).inserted { result.append(skill) }
    }
    guard result.count <= 20 else {
      throw IdentityValidationError(field: "skills", reason: "at most 20 skills, got \(result.count)")
    }
    return result
  }

  /// Applies the registration rules of the domain: a real name, a valid identity document
  /// (derived birth date and sex not contradicted), a mainland mobile number if any, and a
  /// guardian's consent for anyone under 18 (age computed on `today`, in the record's
  /// time zone).
  public static func validated(
    realName: String,
    documentType: DocumentType,
    documentNumber: String,
    birthDate: CalendarDate?,
    sex: Sex?,
    phone: String?,
    organisationID: String,
    guardianConsent: GuardianConsent?,
    today: CalendarDate
  ) throws(IdentityValidationError) -> VolunteerRegistration {
    let name = realName.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !name.isEmpty, name.count <= 64,
      name.unicodeScalars.allSatisfy({ !CharacterSet.controlCharacters.contains($0) })
    else {
      throw IdentityValidationError(
        field: "real_name", reason: "a real name is required: 1-64 characters, no control characters")
    }
    let document = try IdentityDocument.validated(
      type: documentType, number: documentNumber, birthDate: birthDate, sex: sex, today: today)
    let normalisedPhone: String?
    if let phone, !phone.isEmpty {
      normalisedPhone = try MobilePhoneNumber.normalized(phone)
    } else {
      normalisedPhone = nil
    }
    let organisation = organisationID.trimmingCharacters(in: .whitespaces)
    guard !organisation.isEmpty else {
      throw IdentityValidationError(
        field: "organisation_id", reason: "the organisation to register under is required")
    }

    let age = document.birthDate.age(on: today)
    let requirement = GuardianConsentRequirement.forAge(age)
    if requirement != .notNeeded {
      guard let consent = guardianConsent else {
        let rule = requirement == .required
          ? "registering someone under 14 requires a guardian's consent"
          : "a guardian's consent is recorded for volunteers aged 14 to 17"
        throw IdentityValidationError(
          field: "guardian_consent", reason: "the volunteer is \(age): \(rule)")
      }
      let guardian = consent.guardianName.trimmingCharacters(in: .whitespaces)
      let relation = consent.relation.trimmingCharacters(in: .whitespaces)
      guard !guardian.isEmpty, guardian.count <= 64 else {
        throw IdentityValidationError(
          field: "guardian_consent.guardian_name", reason: "the guardian's name is required")
      }
      guard !relation.isEmpty, relation.count <= 32 else {
        throw IdentityValidationError(
          field: "guardian_consent.relation",
          reason: "the guardian's relation (e.g. mother, father, legal guardian) is required")
      }
      guard consent.consentDate <= today else {
        throw IdentityValidationError(
          field: "guardian_consent.consent_date", reason: "the consent date is in the future")
      }
    }
    return VolunteerRegistration(
      realName: name, document: document, phone: normalisedPhone, organisationID: organisation,
      guardianConsent: requirement == .notNeeded ? nil : guardianConsent)
  }
}

/// One move of a volunteer between organisations. Records logged before the move keep the
/// organisation they were recorded under.
public struct VolunteerTransfer: Sendable, Hashable {
  public var fromOrganisationID: String
  public var toOrganisationID: String
  public var transferredAt: Date
  public var transferredBy: String
  public var reason: String

  /// Creates a transfer.
  public init(
    fromOrganisationID: String, toOrganisationID: String, transferredAt: Date,
    transferredBy: String, reason: String
  ) {
    self.fromOrganisationID = fromOrganisationID
    self.toOrganisationID = toOrganisationID
    self.transferredAt = transferredAt
    self.transferredBy = transferredBy
    self.reason = reason
  }
}

/// Which volunteers to list, and where the page starts.
public struct VolunteerQuery: Sendable, Hashable {
  /// Root of the subtree to list.
  public var organisationID: String
  public var registeredFrom: Date?
  public var registeredBefore: Date?
  public var includeWithdrawn = false
  public var pageSize = 50
  /// The page starts after this registration sequence number.
  public var afterSequence = 0

  /// Creates a query for the subtree rooted at `organisationID`.
  public init(organisationID: String) {
    self.organisationID = organisationID
  }
}

/// One page of volunteers.
public struct VolunteerPage: Sendable {
  public var records: [VolunteerRecord]
  /// Where the next page starts; `nil` on the last page.
  public var nextAfterSequence: Int?
}

/// A volunteer as the store keeps it: personal identifiers sealed, masks precomputed so
/// reads by non-admins never decrypt anything.
public struct VolunteerRecord: Sendable, Hashable {
  public var number: String
  public var realName: String
  public var documentType: DocumentType
  /// The document number sealed by ``PersonalDataProtector``.
  public var sealedDocumentNumber: [UInt8]
  /// Keyed hash of type and number: finds duplicates without storing the number in clear.
  public var documentHash: String
  public var maskedDocumentNumber: String
  public var birthDate: CalendarDate
  public var sex: Sex
  public var sealedPhone: [UInt8]?
  public var maskedPhone: String?
  public var organisationID: String
  public var guardianConsent: GuardianConsent?
  public var registeredAt: Date
  public var registeredBy: String
  public var skills: [String] = []
  /// Set once the volunteer withdrew; personal fields are then pseudonymised.
  public var withdrawnAt: Date?
  /// Moves between organisations, oldest first.
  public var transfers: [VolunteerTransfer] = []

  /// Creates a record.
  public init(
    number: String, realName: String, documentType: DocumentType, sealedDocumentNumber: [UInt8],
    documentHash: String, maskedDocumentNumber: String, birthDate: CalendarDate, sex: Sex,
    sealedPhone: [UInt8]?, maskedPhone: String?, organisationID: String,
    guardianConsent: GuardianConsent?, registeredAt: Date, registeredBy: String,
    skills: [String] = []
  ) {
    self.skills = skills
    self.number = number
    self.realName = realName
    self.documentType = documentType
    self.sealedDocumentNumber = sealedDocumentNumber
    self.documentHash = documentHash
    self.maskedDocumentNumber = maskedDocumentNumber
    self.birthDate = birthDate
    self.sex = sex
    self.sealedPhone = sealedPhone
    self.maskedPhone = maskedPhone
    self.organisationID = organisationID
    self.guardianConsent = guardianConsent
    self.registeredAt = registeredAt
    self.registeredBy = registeredBy
  }
}
