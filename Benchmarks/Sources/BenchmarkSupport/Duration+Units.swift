extension Duration {
  /// The duration in seconds, for rates (records per second, calls per second).
  public var seconds: Double {
    let (seconds, attoseconds) = self.components
    return Double(seconds) + Double(attoseconds) / 1e18
  }

  /// Whole microseconds, the unit the latency histograms record; 0 for a negative duration.
  public var microseconds: UInt64 {
    let (seconds, attoseconds) = self.components
    guard seconds >= 0, attoseconds >= 0 else { return 0 }
    return UInt64(seconds) * 1_000_000 + UInt64(attoseconds / 1_000_000_000_000)
  }
}
