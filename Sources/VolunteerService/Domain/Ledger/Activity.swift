import Foundation

/// A service activity of an organisation, as the store keeps it.
public struct Activity: Sendable, Hashable {
  /// Assigned by the store, e.g. `A000000001`.
  public var id: String
  public var organisationID: String
  public var title: String
  public var category: ActivityCategory
  public var regionCode: String
  public var place: String
  public var window: ActivityWindow
  public var plannedMinutes: Int
  public var personInCharge: String
  public var status: ActivityStatus
  public var createdAt: Date
  public var createdBy: String

  /// Creates an activity.
  public init(
    id: String, organisationID: String, title: String, category: ActivityCategory,
    regionCode: String, place: String, window: ActivityWindow, plannedMinutes: Int,
    personInCharge: String, status: ActivityStatus, createdAt: Date, createdBy: String
  ) {
    self.id = id
    self.organisationID = organisationID
    self.title = title
    self.category = category
    self.regionCode = regionCode
    self.place = place
    self.window = window
    self.plannedMinutes = plannedMinutes
    self.personInCharge = personInCharge
    self.status = status
    self.createdAt = createdAt
    self.createdBy = createdBy
  }

  /// The id of the `sequence`-th activity.
  public static func id(sequence: Int) -> String {
    "A" + String(format: "%09d", sequence)
  }
}
