import CoreMetrics

/// The group-commit writer's instruments: operations per transaction, time to a durable
/// commit, failed transactions.
struct StoreCommitMetrics: Sendable {
  let batchSize: Recorder
  let duration: Timer
  let failures: Counter

  /// Makes the instruments with `factory`.
  init(factory: any MetricsFactory) {
    self.batchSize = Recorder(label: StoreMetricNames.commitBatchSize, factory: factory)
    self.duration = Timer(label: StoreMetricNames.commitDuration, factory: factory)
    self.failures = Counter(label: StoreMetricNames.commitFailures, factory: factory)
  }
}
