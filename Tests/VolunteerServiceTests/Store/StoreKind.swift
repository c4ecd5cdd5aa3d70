/// The record store implementations the conformance suite runs every test against.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
  case sqlite
  case postgres

  var description: String { self.rawValue }
}
