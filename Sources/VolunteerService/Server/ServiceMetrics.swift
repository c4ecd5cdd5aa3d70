import CoreMetrics
import Prometheus

/// The service's metrics: swift-metrics instruments on a Prometheus registry of this server's
/// own (so servers embedded side by side, as in tests, never mix their figures), rendered in
/// the Prometheus text format by ``MetricsHTTPServer``.
///
/// Names follow Prometheus conventions: `_total` counters, `_seconds` durations in
/// histograms, gauges sampled when scraped.
public final class ServiceMetrics: Sendable {
  /// The registry every instrument below lives in.
  public let registry: PrometheusCollectorRegistry
  /// The factory that makes instruments in ``registry``, for the store's own metrics.
  public let factory: any MetricsFactory

  /// Latency buckets for calls and store commits: 0.5 ms to 10 s.
  static let durationBuckets: [Duration] = [
    .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
    .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
    .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
  ]
  /// Buckets for group-commit batch sizes (operations per transaction).
  static let batchSizeBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]

  /// Creates the metrics with an empty registry.
  public init() {
    let registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.defaultDurationHistogramBuckets = Self.durationBuckets
    factory.valueHistogramBuckets = [StoreMetricNames.commitBatchSize: Self.batchSizeBuckets]
    self.registry = registry
    self.factory = factory
  }

  /// Counts a finished call and records its duration.
  func recordCall(method: String, code: String, duration: Duration) {
    Counter(
      label: "volunteer_rpc_calls_total", dimensions: [("method", method), ("code", code)],
      factory: self.factory
    ).increment()
    Timer(
      label: "volunteer_rpc_call_duration_seconds", dimensions: [("method", method)],
      factory: self.factory
    ).recordNanoseconds(Self.nanoseconds(duration))
  }

  /// Sets the gauges sampled at scrape time.
  func recordConnections(wire: Int) {
    Gauge(label: "volunteer_wire_connections", factory: self.factory).record(wire)
  }

  static func nanoseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
  }

  /// The registry's contents in the Prometheus text exposition format (version 0.0.4).
  public func exposition() -> [UInt8] {
    self.registry.emitToBuffer()
  }
}
