import BenchmarkSupport
import Histogram
import VolunteerService

/// Single-record writes from many concurrent callers: the path LogHours takes, each call
/// returning once its batch's commit is durable.
struct GroupCommitPhase {
  var records: Int
  var callers: Int
  var seconds: Double
  var latencies: Histogram<UInt64>
  var commits: Double
  var recordsPerCommit: Double

  var recordsPerSecond: Double { Double(self.records) / self.seconds }

  /// Writes the records of `slots` from `callers` tasks, each taking the next slot.
  static func run(
    store: SQLiteRecordStore, fixture: Fixture, metrics: ServiceMetrics, slots: Range<Int>,
    callers: Int
  ) async throws -> GroupCommitPhase {
    let before = BatchSizeSample(metrics.exposition())
    let next = SlotCounter(startingAt: slots.lowerBound)
    let clock = ContinuousClock()
    let started = clock.now
    let latencies = try await withThrowingTaskGroup(of: Histogram<UInt64>.self) { group in
      for _ in 0..<callers {
        group.addTask {
          var histogram = Self.histogram()
          while true {
            let slot = next.take()
            guard slot < slots.upperBound else { return histogram }
            let entry = fixture.record(slot: slot)
            let callStart = clock.now
            _ = try await store.logRecord(entry.makeRecord, idempotency: entry.idempotency)
            histogram.record((clock.now - callStart).microseconds)
          }
        }
      }
      var all = Self.histogram()
      for try await histogram in group { all.add(histogram) }
      return all
    }
    let seconds = (clock.now - started).seconds
    let after = BatchSizeSample(metrics.exposition())
    let commits = after.count - before.count
    return GroupCommitPhase(
      records: slots.count, callers: callers, seconds: seconds, latencies: latencies,
      commits: commits, recordsPerCommit: commits > 0 ? (after.sum - before.sum) / commits : 0)
  }

  private static func histogram() -> Histogram<UInt64> {
    Histogram(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
  }

  var summary: String {
    String(
      format: "%6d records, %3d callers: %8.0f records/s  latency p50 %d µs, p99 %d µs, p99.9 %d µs; %.0f commits, %.1f records per commit",
      self.records, self.callers, self.recordsPerSecond, self.latencies.valueAtPercentile(50),
      self.latencies.valueAtPercentile(99), self.latencies.valueAtPercentile(99.9), self.commits,
      self.recordsPerCommit)
  }

  var json: [String: Any] {
    [
      "phase": "group-commit", "records": self.records, "callers": self.callers,
      "seconds": self.seconds, "records_per_second": self.recordsPerSecond,
      "latency_us": [
        "p50": self.latencies.valueAtPercentile(50), "p99": self.latencies.valueAtPercentile(99),
        "p99_9": self.latencies.valueAtPercentile(99.9), "max": self.latencies.max,
      ],
      "commits": self.commits, "records_per_commit": self.recordsPerCommit,
    ]
  }
}
