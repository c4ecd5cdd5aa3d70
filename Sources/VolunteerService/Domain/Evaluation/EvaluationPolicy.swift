import Foundation

/// A named, versioned evaluation policy: DOMAIN "Evaluation" made data, so regions differ by
/// document, not by code (the national default and Beijing's 100/200/500/800/1000 stars ship in
/// `Policies/`).
///
/// Values only come out of ``init(json:)`` or the memberwise validation in ``validated()``,
/// so holding one means every threshold is ordered and every age group is covered once.
public struct EvaluationPolicy: Hashable, Sendable, Codable {
  /// The policy's name, e.g. `national`, `beijing`: `[a-z0-9-]{1,40}`.
  public var id: String
  /// Increases with every change; an evaluation names the version it used.
  public var version: Int
  /// A human title, e.g. "Beijing municipal star levels".
  public var title: String
  /// Lifetime credited hours for 1★, 2★, …: strictly increasing, 1 to 10 levels.
  public var starThresholdsHours: [Int]
  /// Annual award tiers by age group over the trailing 12 months: contiguous ages from the
  /// first group's `min_age`, the last group open-ended.
  public var annualTiers: [AgeGroupTiers]
  /// Lifetime credited hours for the lifetime award (DOMAIN: 4000 h).
  public var lifetimeAwardHours: Int
  /// Second-classroom modules: which activity categories count towards which module, and the
  /// credits a module gives by hours.
  public var modules: [Module]
  /// Rounding and daily caps: the ledger knobs this policy states (decoded with the ledger's
  /// own rules; missing knobs take the national default).
  public var ledger: LedgerPolicy

  /// One age group's annual tier thresholds in hours.
  public struct AgeGroupTiers: Hashable, Sendable, Codable {
    /// Youngest age in the group (inclusive).
    public var minAge: Int
    /// Oldest age in the group (inclusive); `nil` for the last, open-ended group.
    public var maxAge: Int?
    /// Hours for bronze, silver and gold: strictly increasing.
    public var bronzeHours: Int
    public var silverHours: Int
    public var goldHours: Int
  }

  /// A second-classroom module and its credit table.
  public struct Module: Hashable, Sendable, Codable {
    /// e.g. `volunteering`: `[a-z0-9-]{1,40}`, unique in the policy.
    public var id: String
    /// e.g. "志愿公益 (volunteering and public service)".
    public var name: String
    /// Activity categories (kebab-case, as on the wire) whose hours count here; a category
    /// counts towards one module at most.
    public var categories: [String]
    /// Credits reached at hours: hours and credits strictly increasing.
    public var thresholds: [Threshold]
  }

  /// `credits` once `hours` are reached.
  public struct Threshold: Hashable, Sendable, Codable {
    public var hours: Int
    public var credits: Int
  }

  /// The annual tier names, lowest first.
  public enum Tier: String, Sendable, CaseIterable {
    case bronze, silver, gold
  }

  /// Parses and validates a policy document (JSON, snake_case keys).
  ///
  /// - Throws: ``IdentityValidationError`` whose field is the JSON path at fault, e.g.
  ///   `annual_tiers[2].gold_hours`, and whose reason says what is expected.
  public init(json: Data) throws(IdentityValidationError) {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    let decoded: EvaluationPolicy
    do {
      decoded = try decoder.decode(EvaluationPolicy.self, from: json)
    } catch let error as DecodingError {
      throw Self.describe(error)
    } catch {
      throw IdentityValidationError(field: "policy", reason: "\(error)")
    }
    self = try decoded.validated()
  }

  /// The document as stored and shown: sorted keys, snake_case, every knob written out.
  public func json() -> Data {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Encoding plain integers, strings and arrays cannot fail.
    return (try? encoder.encode(self)) ?? Data()
  }

  /// Checks every rule a decoded document must meet, naming the field at fault.
  public func validated() throws(IdentityValidationError) -> EvaluationPolicy {
    func fail(_ field: String, _ reason: String) -> IdentityValidationError {
      IdentityValidationError(field: field, reason: reason)
    }
    guard Self.isName(self.id) else {
      throw fail("id", "\"\(self.id)\" must be 1-40 characters of a-z, 0-9 and -")
    }
    guard (1...1_000_000).contains(self.version) else {
      throw fail("version", "is \(self.version), expected a positive integer")
    }
    guard !self.title.trimmingCharacters(in: .whitespaces).isEmpty, self.title.count <= 200 else {
      throw fail("title", "must be 1-200 characters")
    }
    guard (1...10).contains(self.starThresholdsHours.count) else {
      throw fail("star_thresholds_hours", "must list 1-10 thresholds, got \(self.starThresholdsHours.count)")
    }
    try Self.checkIncreasing(self.starThresholdsHours, field: "star_thresholds_hours")
    guard !self.annualTiers.isEmpty else {
      throw fail("annual_tiers", "must list at least one age group")
    }
    for (index, group) in self.annualTiers.enumerated() {
      let path = "annual_tiers[\(index)]"
      guard (0...150).contains(group.minAge) else {
        throw fail("\(path).min_age", "is \(group.minAge), expected 0...150")
      }
      if index > 0, let previousMax = self.annualTiers[index - 1].maxAge,
        group.minAge != previousMax + 1
      {
        throw fail(
          "\(path).min_age",
          "is \(group.minAge), expected \(previousMax + 1): age groups must follow each other "
            + "without gaps or overlaps")
      }
      let isLast = index == self.annualTiers.count - 1
      switch (group.maxAge, isLast) {
      case (nil, false):
        throw fail("\(path).max_age", "is missing; only the last age group is open-ended")
      case (let max?, true):
        throw fail("\(path).max_age", "is \(max); the last age group must be open-ended (no max_age)")
      case (let max?, false) where max < group.minAge:
        throw fail("\(path).max_age", "is \(max), below min_age (\(group.minAge))")
      default: break
      }
      try Self.checkIncreasing(
        [group.bronzeHours, group.silverHours, group.goldHours], field: path,
        names: ["bronze_hours", "silver_hours", "gold_hours"])
    }
    guard self.lifetimeAwardHours >= 1 else {
      throw fail("lifetime_award_hours", "is \(self.lifetimeAwardHours), expected at least 1")
    }
    var seenModules = Set<String>()
    var seenCategories: [String: String] = [:]
    for (index, module) in self.modules.enumerated() {
      let path = "modules[\(index)]"
      guard Self.isName(module.id) else {
        throw fail("\(path).id", "\"\(module.id)\" must be 1-40 characters of a-z, 0-9 and -")
      }
      guard seenModules.insert(module.id).inserted else {
        throw fail("\(path).id", "\"\(module.id)\" appears twice")
      }
      guard !module.name.isEmpty, module.name.count <= 100 else {
        throw fail("\(path).name", "must be 1-100 characters")
      }
      for (position, category) in module.categories.enumerated() {
        let field = "\(path).categories[\(position)]"
        guard ActivityCategory(rawValue: category) != nil else {
          throw fail(
            field,
            "\"\(category)\" is not an activity category; expected one of "
              + ActivityCategory.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if let other = seenCategories.updateValue(module.id, forKey: category) {
          throw fail(field, "\"\(category)\" already counts towards module \"\(other)\"")
        }
      }
      guard !module.thresholds.isEmpty else {
        throw fail("\(path).thresholds", "must list at least one threshold")
      }
      try Self.checkIncreasing(module.thresholds.map(\.hours), field: "\(path).thresholds", names: module.thresholds.indices.map { "[\($0)].hours" })
      try Self.checkIncreasing(module.thresholds.map(\.credits), field: "\(path).thresholds", names: module.thresholds.indices.map { "[\($0)].credits" })
    }
    return self
  }

  private static func isName(_ value: String) -> Bool {
    (1...40).contains(value.utf8.count)
      && value.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
  }

  /// Positive and strictly increasing; `names` give each element's field (default `[i]`).
  private static func checkIncreasing(
    _ values: [Int], field: String, names: [String]? = nil
  ) throws(IdentityValidationError) {
    for (index, value) in values.enumerated() {
      let name = names.map { name in
        name[index].hasPrefix("[") ? "\(field)\(name[index])" : "\(field).\(name[index])"
      } ?? "\(field)[\(index)]"
      guard value >= 1 else {
        throw IdentityValidationError(field: name, reason: "is \(value), expected at least 1")
      }
      if index > 0, value <= values[index - 1] {
        throw IdentityValidationError(
          field: name, reason: "is \(value), expected more than the one before (\(values[index - 1]))")
      }
    }
  }

  /// Turns a decoding error into the JSON path and a plain reason.
  private static func describe(_ error: DecodingError) -> IdentityValidationError {
    func path(_ codingPath: [any CodingKey]) -> String {
      var text = ""
      for key in codingPath {
        if let index = key.intValue {
          text += "[\(index)]"
        } else {
          let snake = key.stringValue.reduce(into: "") { result, character in
            if character.isUppercase {
              result += "_" + character.lowercased()
            } else {
              result.append(character)
            }
          }
          text += text.isEmpty ? snake : "." + snake
        }
      }
      return text.isEmpty ? "policy" : text
    }
    switch error {
    case .keyNotFound(let key, let context):
      let parent = path(context.codingPath)
      let name = path([key])
      return IdentityValidationError(
        field: parent == "policy" ? name : "\(parent).\(name)", reason: "is required")
    case .typeMismatch(let type, let context):
      return IdentityValidationError(
        field: path(context.codingPath), reason: "has the wrong type; expected \(Self.describe(type))")
    case .valueNotFound(let type, let context):
      return IdentityValidationError(
        field: path(context.codingPath), reason: "is null; expected \(Self.describe(type))")
    case .dataCorrupted(let context):
      return IdentityValidationError(
        field: path(context.codingPath),
        reason: context.codingPath.isEmpty
          ? "is not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))"
          : context.debugDescription)
    @unknown default:
      return IdentityValidationError(field: "policy", reason: "\(error)")
    }
  }

  private static func describe(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type: "an integer"
    case is String.Type: "a string"
    case is [Any].Type: "an array"
    default: type == [String: Any].self ? "an object" : "\(type)"
    }
  }
}
