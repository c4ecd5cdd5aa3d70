/// A failure to load keys or to seal or open personal data.
public struct PersonalDataError: Error, CustomStringConvertible {
  /// What went wrong and, where there is one, the fix.
  public var message: String
  /// Creates an error.
  public init(message: String) { self.message = message }
  public var description: String { self.message }
}
