/// Names of the store's metrics, shared by the store that records them and the registry that
/// buckets them.
enum StoreMetricNames {
  /// Operations per group-commit transaction (a histogram).
  static let commitBatchSize = "volunteer_store_commit_batch_size"
  /// Time from a batch's start to its durable commit (a histogram, seconds).
  static let commitDuration = "volunteer_store_commit_duration_seconds"
  /// Failed batch transactions (a counter).
  static let commitFailures = "volunteer_store_commit_failures_total"
}
