/// Where a page of a list starts and how long it may be: keyset paging on the store's
/// insertion sequence, so a page costs the same however deep into the list it is, and rows
/// added meanwhile never shift or repeat what a client already saw.
public struct PageRequest: Sendable, Hashable {
  /// The page starts after this sequence number (0 for the first page).
  public var afterSequence: Int
  /// The most items the page holds (at least 1).
  public private(set) var size: Int

  /// Creates a page request; a page holds at least one item.
  public init(afterSequence: Int = 0, size: Int) {
    self.afterSequence = afterSequence
    self.size = max(1, size)
  }
}

/// One page of a list.
public struct Page<Item: Sendable>: Sendable {
  /// The items, in insertion order.
  public var items: [Item]
  /// Where the next page starts; `nil` on the last page.
  public var nextAfterSequence: Int?

  /// Creates a page.
  public init(items: [Item], nextAfterSequence: Int?) {
    self.items = items
    self.nextAfterSequence = nextAfterSequence
  }
}
