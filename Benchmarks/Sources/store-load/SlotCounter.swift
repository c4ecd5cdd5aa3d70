import Synchronization

/// Hands out consecutive numbers to concurrent tasks (slots, volunteer indexes).
final class SlotCounter: Sendable {
  private let next: Atomic<Int>

  init(startingAt first: Int) { self.next = Atomic(first) }

  /// The next number; each is handed out once.
  func take() -> Int { self.next.wrappingAdd(1, ordering: .relaxed).oldValue }
}
