import Synchronization

/// A token bucket per key: each key may make `burst` calls at once and `ratePerSecond`
/// calls per second sustained; a call beyond that is refused with the time until a token
/// is back.
///
/// Pure apart from its lock: the caller passes the time, so tests drive it with a manual
/// clock. Memory is bounded by the number of keys seen recently: a bucket that has refilled
/// completely is indistinguishable from a new one and is dropped when the table grows.
public final class RateLimiter: Sendable {
  private struct Bucket {
    var tokens: Double
    var updated: ContinuousClock.Instant
  }

  private let ratePerSecond: Double
  private let burst: Double
  private let maxTrackedKeys: Int
  private let buckets = Mutex<[String: Bucket]>([:])

  /// - Parameters:
  ///   - ratePerSecond: sustained calls per second per key (> 0).
  ///   - burst: calls a key may make at once after being idle (≥ 1).
  ///   - maxTrackedKeys: when more keys than this are tracked, full buckets are dropped.
  public init(ratePerSecond: Double, burst: Double, maxTrackedKeys: Int = 100_000) {
    precondition(ratePerSecond > 0 && burst >= 1, "a rate limiter needs a positive rate and a burst of at least 1")
    self.ratePerSecond = ratePerSecond
    self.burst = burst
    self.maxTrackedKeys = maxTrackedKeys
  }

  /// Takes one token for `key` at `now`: `nil` when the call may proceed, else how long
  /// until it would be allowed.
  public func admit(_ key: String, at now: ContinuousClock.Instant) -> Duration? {
    self.buckets.withLock { buckets in
      var bucket = buckets[key] ?? Bucket(tokens: self.burst, updated: now)
      let elapsed = max(0, Self.seconds(now - bucket.updated))
      bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.ratePerSecond)
      bucket.updated = now
      defer {
        buckets[key] = bucket
        if buckets.count > self.maxTrackedKeys { self.dropFullBuckets(&buckets, at: now) }
      }
      guard bucket.tokens >= 1 else {
        let wait = (1 - bucket.tokens) / self.ratePerSecond
        return .nanoseconds(Int64((wait * 1e9).rounded(.up)))
      }
      bucket.tokens -= 1
      return nil
    }
  }

  /// Keys currently tracked.
  public var trackedKeys: Int { self.buckets.withLock { $0.count } }

  private func dropFullBuckets(_ buckets: inout [String: Bucket], at now: ContinuousClock.Instant) {
    buckets = buckets.filter { _, bucket in
      bucket.tokens + Self.seconds(now - bucket.updated) * self.ratePerSecond < self.burst
    }
  }

  private static func seconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) + Double(attoseconds) / 1e18
  }
}
