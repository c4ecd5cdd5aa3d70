/// Whether registering a volunteer of a given age needs a guardian's consent.
///
/// DOMAIN: under 14 a recorded guardian consent is mandatory; from 14 to 18 a consent is
/// recorded too. The service requires it in both cases, but the two are kept apart so error
/// messages can say which rule applies.
public enum GuardianConsentRequirement: Sendable, Equatable {
  /// Under 14: registration is refused without a guardian consent.
  case required
  /// 14 up to 18: a guardian consent is recorded with the registration.
  case recorded
  /// 18 and over: no guardian consent is involved.
  case notNeeded

  /// The requirement for a volunteer of `age` completed years (ages below 0 count as under 14).
  public static func forAge(_ age: Int) -> Self {
    switch age {
    case ..<14: return .required
    case 14..<18: return .recorded
    default: return .notNeeded
    }
  }
}
