import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

// Conversions between the wire messages of Proto/ and the domain types. Masking decisions
// live here, in one place: personal identifiers leave the service in clear only for admins.

extension DocumentType {
  init(proto: Volunteer_V1_DocumentType) throws(IdentityValidationError) {
    switch proto {
    case .residentID: self = .residentID
    case .passport: self = .passport
    case .hkMacaoPermit: self = .hongKongMacaoPermit
    case .taiwanPermit: self = .taiwanPermit
    case .foreignPermanentResidence: self = .foreignPermanentResidence
    case .unspecified, .UNRECOGNIZED:
      throw IdentityValidationError(
        field: "document_type", reason: "a document type is required (DOCUMENT_TYPE_RESIDENT_ID, …)")
    }
  }

  var proto: Volunteer_V1_DocumentType {
    switch self {
    case .residentID: .residentID
    case .passport: .passport
    case .hongKongMacaoPermit: .hkMacaoPermit
    case .taiwanPermit: .taiwanPermit
    case .foreignPermanentResidence: .foreignPermanentResidence
    }
  }
}

extension Sex {
  init?(proto: Volunteer_V1_Sex) {
    switch proto {
    case .male: self = .male
    case .female: self = .female
    case .unspecified, .UNRECOGNIZED: return nil
    }
  }

  var proto: Volunteer_V1_Sex {
    switch self {
    case .male: .male
    case .female: .female
    }
  }
}

extension Role {
  init(proto: Volunteer_V1_Role) throws(IdentityValidationError) {
    switch proto {
    case .admin: self = .admin
    case .partner: self = .partner
    case .auditor: self = .auditor
    case .unspecified, .UNRECOGNIZED:
      throw IdentityValidationError(
        field: "role", reason: "a role is required: ROLE_ADMIN, ROLE_PARTNER or ROLE_AUDITOR")
    }
  }

  var proto: Volunteer_V1_Role {
    switch self {
    case .admin: .admin
    case .partner: .partner
    case .auditor: .auditor
    }
  }
}

extension CalendarDate {
  /// A date from the wire; `field` names it in the error if it is not a real date.
  init(proto: Volunteer_V1_Date, field: String) throws(IdentityValidationError) {
    guard let date = CalendarDate(year: Int(proto.year), month: Int(proto.month), day: Int(proto.day))
    else {
      throw IdentityValidationError(
        field: field, reason: "\(proto.year)-\(proto.month)-\(proto.day) is not a real date")
    }
    self = date
  }

  var proto: Volunteer_V1_Date {
    .with {
      $0.year = Int32(self.year)
      $0.month = Int32(self.month)
      $0.day = Int32(self.day)
    }
  }
}

extension Organisation.Kind {
  init(proto: Volunteer_V1_OrganisationKind) throws(IdentityValidationError) {
    switch proto {
    case .national: self = .national
    case .province: self = .province
    case .city: self = .city
    case .county: self = .county
    case .grassroots: self = .grassroots
    case .school: self = .school
    case .enterprise: self = .enterprise
    case .alliance: self = .alliance
    case .ngo: self = .ngo
    case .unspecified, .UNRECOGNIZED:
      throw IdentityValidationError(
        field: "kind", reason: "an organisation kind is required (ORGANISATION_KIND_PROVINCE, …)")
    }
  }

  var proto: Volunteer_V1_OrganisationKind {
    switch self {
    case .national: .national
    case .province: .province
    case .city: .city
    case .county: .county
    case .grassroots: .grassroots
    case .school: .school
    case .enterprise: .enterprise
    case .alliance: .alliance
    case .ngo: .ngo
    }
  }
}

extension Organisation {
  var proto: Volunteer_V1_Organisation {
    .with {
      $0.id = self.id
      $0.parentID = self.parentID ?? ""
      $0.kind = self.kind.proto
      $0.name = self.name
      $0.regionCode = self.regionCode
      $0.depth = UInt32(self.depth)
      $0.createdAt = Google_Protobuf_Timestamp(date: self.createdAt)
    }
  }
}

extension ActivityCategory {
  init(proto: Volunteer_V1_ActivityCategory) throws(IdentityValidationError) {
    switch proto {
    case .communityService: self = .communityService
    case .elderlyCare: self = .elderlyCare
    case .education: self = .education
    case .environment: self = .environment
    case .emergencyRelief: self = .emergencyRelief
    case .largeEvents: self = .largeEvents
    case .culture: self = .culture
    case .health: self = .health
    case .povertyRelief: self = .povertyRelief
    case .other: self = .other
    case .unspecified, .UNRECOGNIZED:
      throw IdentityValidationError(
        field: "category", reason: "a category is required (ACTIVITY_CATEGORY_EDUCATION, …)")
    }
  }

  var proto: Volunteer_V1_ActivityCategory {
    switch self {
    case .communityService: .communityService
    case .elderlyCare: .elderlyCare
    case .education: .education
    case .environment: .environment
    case .emergencyRelief: .emergencyRelief
    case .largeEvents: .largeEvents
    case .culture: .culture
    case .health: .health
    case .povertyRelief: .povertyRelief
    case .other: .other
    }
  }
}

extension Activity {
  var proto: Volunteer_V1_Activity {
    .with {
      $0.id = self.id
      $0.organisationID = self.organisationID
      $0.title = self.title
      $0.category = self.category.proto
      $0.regionCode = self.regionCode
      $0.place = self.place
      $0.startTime = Google_Protobuf_Timestamp(date: self.window.start)
      $0.endTime = Google_Protobuf_Timestamp(date: self.window.end)
      $0.plannedMinutes = UInt32(clamping: self.plannedMinutes)
      $0.personInCharge = self.personInCharge
      $0.status =
        switch self.status {
        case .draft: .draft
        case .published: .published
        case .closed: .closed
        }
      $0.createdAt = Google_Protobuf_Timestamp(date: self.createdAt)
      $0.createdBy = self.createdBy
    }
  }
}

extension ServiceRecord {
  var proto: Volunteer_V1_ServiceRecord {
    .with {
      $0.id = self.id
      $0.volunteerNumber = self.volunteerNumber
      $0.activityID = self.activityID
      $0.organisationID = self.organisationID
      $0.startTime = Google_Protobuf_Timestamp(date: self.span.start)
      $0.endTime = Google_Protobuf_Timestamp(date: self.span.end)
      $0.minutes = UInt32(clamping: self.minutes)
      $0.creditedHalfHours = UInt32(clamping: self.creditedHalfHours)
      $0.content = self.content
      $0.status =
        switch self.status {
        case .pending: .pending
        case .approved: .approved
        case .rejected: .rejected
        }
      $0.late = self.isLate
      $0.submittedBy = self.submittedBy
      $0.submittedAt = Google_Protobuf_Timestamp(date: self.submittedAt)
      if let reviewedBy = self.reviewedBy { $0.reviewedBy = reviewedBy }
      if let reviewedAt = self.reviewedAt { $0.reviewedAt = Google_Protobuf_Timestamp(date: reviewedAt) }
      if let reason = self.reviewReason { $0.reviewReason = reason }
      $0.kind =
        switch self.kind {
        case .entry: .entry
        case .reversal: .reversal
        case .adjustment: .adjustment
        }
      if let corrects = self.correctsRecordID {
        $0.correctsRecordID = corrects
        $0.deltaMinutes = Int32(clamping: self.minutes)
        $0.minutes = 0
        $0.creditedHalfHours = 0
      }
      $0.capOverride =
        switch self.capOverride {
        case .none: .none
        case .verifyingOrganisation: .verifyingOrganisation
        case .provinceLevel: .provinceLevel
        }
    }
  }
}

extension Principal {
  var proto: Volunteer_V1_Principal {
    .with {
      $0.id = self.id
      $0.role = self.role.proto
      $0.scopeOrganisationID = self.scopeOrganisationID
      $0.displayName = self.displayName
      $0.enabled = self.isEnabled
      $0.createdAt = Google_Protobuf_Timestamp(date: self.createdAt)
      $0.createdBy = self.createdBy
    }
  }
}

extension VolunteerRecord {
  /// The volunteer as `viewer` may see it: admins see names and numbers in clear, every
  /// other role sees them masked.
  func proto(for viewer: Principal, protector: PersonalDataProtector) throws -> Volunteer_V1_Volunteer {
    let clear = viewer.role == .admin && self.withdrawnAt == nil
    return try .with {
      $0.volunteerNumber = self.number
      $0.realName = clear ? self.realName : Masking.maskName(self.realName)
      $0.documentType = self.documentType.proto
      $0.documentNumber =
        clear ? try protector.open(self.sealedDocumentNumber) : self.maskedDocumentNumber
      $0.birthDate = self.birthDate.proto
      $0.sex = self.sex.proto
      if let sealedPhone = self.sealedPhone {
        $0.phone = clear ? try protector.open(sealedPhone) : (self.maskedPhone ?? "")
      }
      $0.organisationID = self.organisationID
      if let consent = self.guardianConsent {
        $0.guardianConsent = .with {
          $0.guardianName = clear ? consent.guardianName : Masking.maskName(consent.guardianName)
          $0.relation = consent.relation
          $0.consentDate = consent.consentDate.proto
        }
      }
      $0.registeredAt = Google_Protobuf_Timestamp(date: self.registeredAt)
      $0.registeredBy = self.registeredBy
      $0.skills = self.skills
      if let withdrawnAt = self.withdrawnAt {
        $0.withdrawnAt = Google_Protobuf_Timestamp(date: withdrawnAt)
      }
      $0.transfers = self.transfers.map { transfer in
        .with {
          $0.fromOrganisationID = transfer.fromOrganisationID
          $0.toOrganisationID = transfer.toOrganisationID
          $0.transferredAt = Google_Protobuf_Timestamp(date: transfer.transferredAt)
          $0.transferredBy = transfer.transferredBy
          $0.reason = transfer.reason
        }
      }
    }
  }
}
