import Foundation
import Histogram

/// The outcome of a run, as a table for people or one JSON object for scripts.
struct Report {
  var label: String?
  var host: String
  var port: Int
  var transport: LoadTransport
  var connections: Int
  var settings: LoadSettings
  var result: LoadResult

  private var latencies: Histogram<UInt64> { self.result.latencies }

  var itemsPerSecond: Double {
    self.result.window > 0 ? Double(self.result.items) / self.result.window : 0
  }

  var callsPerSecond: Double {
    self.result.window > 0 ? Double(self.result.succeeded) / self.result.window : 0
  }

  /// Server CPU seconds spent inside the window.
  var serverCPUSeconds: Double? {
    guard let start = self.result.serverStart, let end = self.result.serverEnd else { return nil }
    return end.cpuSeconds - start.cpuSeconds
  }

  var serverCPUMicrosPerCall: Double? {
    guard let seconds = self.serverCPUSeconds, self.result.completed > 0 else { return nil }
    return seconds * 1e6 / Double(self.result.completed)
  }

  var clientCPUMicrosPerCall: Double? {
    guard let seconds = self.result.clientCPU, self.result.completed > 0 else { return nil }
    return seconds * 1e6 / Double(self.result.completed)
  }

  func percentile(_ value: Double) -> UInt64 {
    self.latencies.totalCount > 0 ? self.latencies.valueAtPercentile(value) : 0
  }

  var maxLatency: UInt64 { self.latencies.totalCount > 0 ? self.latencies.max : 0 }

  func table() -> String {
    var lines: [String] = []
    let inFlight = self.connections * self.settings.concurrency
    lines.append(
      "wire-load: \(self.settings.method.rawValue) over \(self.transport.rawValue) at "
        + "\(self.host):\(self.port), "
        + "\(self.connections) connection\(self.connections == 1 ? "" : "s") x "
        + "\(self.settings.concurrency) in flight (\(inFlight) in all), "
        + String(format: "%.1f s warm-up", self.settings.warmup)
        + (self.label.map { " [\($0)]" } ?? ""))
    func row(_ name: String, _ value: String) {
      lines.append("  " + name.padding(toLength: 18, withPad: " ", startingAt: 0) + value)
    }
    row("measured", String(format: "%.2f s", self.result.window))
    row("calls", "\(self.result.completed) (\(self.result.failed) errors)")
    row("calls/s", String(format: "%.0f", self.callsPerSecond))
    if self.settings.method == .export {
      row("credentials/s", String(format: "%.0f (%d in the window)", self.itemsPerSecond, self.result.items))
    }
    row(
      "latency (µs)",
      "p50 \(self.percentile(50))  p90 \(self.percentile(90))  p99 \(self.percentile(99))  "
        + "p99.9 \(self.percentile(99.9))  max \(self.maxLatency)  "
        + String(format: "mean %.0f", self.latencies.totalCount > 0 ? self.latencies.mean : 0))
    if let perCall = self.serverCPUMicrosPerCall, let seconds = self.serverCPUSeconds {
      row(
        "server CPU",
        String(
          format: "%.1f µs per call (%.2f s in %.2f s: %.0f %% of one core)", perCall, seconds,
          self.result.window, 100 * seconds / max(self.result.window, 1e-9)))
    }
    if let end = self.result.serverEnd, let rss = end.rssKiB {
      row(
        "server RSS",
        String(format: "%.1f MiB at the end", Double(rss) / 1024)
          + (end.peakRSSKiB.map { String(format: " (peak %.1f MiB)", Double($0) / 1024) } ?? ""))
    }
    if let perCall = self.clientCPUMicrosPerCall {
      row("client CPU", String(format: "%.1f µs per call (this load generator)", perCall))
    }
    if let busy = self.result.machineBusyPercent {
      row(
        "machine CPU",
        String(format: "%.0f %% busy of %d cores", busy, ProcessInfo.processInfo.activeProcessorCount))
    }
    if !self.result.errors.isEmpty {
      row(
        "errors by code",
        self.result.errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
          .joined(separator: ", "))
    }
    if let first = self.result.firstError {
      row("first error", first)
    }
    if self.result.warmupErrors > 0 {
      row("warm-up errors", "\(self.result.warmupErrors) of \(self.result.warmupCalls) calls")
    }
    return lines.joined(separator: "\n")
  }

  func json() throws -> String {
    var object: [String: Any] = [
      "method": self.settings.method.rawValue,
      "transport": self.transport.rawValue,
      "items": self.result.items,
      "items_per_second": Self.rounded(self.itemsPerSecond, 1),
      "host": self.host,
      "port": self.port,
      "connections": self.connections,
      "concurrency": self.settings.concurrency,
      "warmup_seconds": self.settings.warmup,
      "window_seconds": Self.rounded(self.result.window, 3),
      "calls": self.result.completed,
      "errors": self.result.failed,
      "errors_by_code": self.result.errors,
      "warmup_calls": self.result.warmupCalls,
      "warmup_errors": self.result.warmupErrors,
      "calls_per_second": Self.rounded(self.callsPerSecond, 1),
      "latency_us": [
        "p50": self.percentile(50),
        "p90": self.percentile(90),
        "p99": self.percentile(99),
        "p99_9": self.percentile(99.9),
        "max": self.maxLatency,
        "min": self.latencies.totalCount > 0 ? self.latencies.min : 0,
        "mean": Self.rounded(self.latencies.totalCount > 0 ? self.latencies.mean : 0, 1),
      ],
      "cores": ProcessInfo.processInfo.activeProcessorCount,
    ]
    if let label = self.label { object["label"] = label }
    if self.settings.method == .getVolunteer { object["volunteers"] = self.settings.volunteers }
    if let calls = self.settings.calls { object["requested_calls"] = calls }
    if let first = self.result.firstError { object["first_error"] = first }
    if let pid = self.settings.serverPID {
      var server: [String: Any] = ["pid": Int(pid) ?? 0]
      if let seconds = self.serverCPUSeconds { server["cpu_seconds"] = Self.rounded(seconds, 3) }
      if let perCall = self.serverCPUMicrosPerCall {
        server["cpu_us_per_call"] = Self.rounded(perCall, 2)
      }
      if let rss = self.result.serverEnd?.rssKiB { server["rss_kib"] = rss }
      if let peak = self.result.serverEnd?.peakRSSKiB { server["peak_rss_kib"] = peak }
      object["server"] = server
    }
    if let perCall = self.clientCPUMicrosPerCall {
      object["client_cpu_us_per_call"] = Self.rounded(perCall, 2)
    }
    if let busy = self.result.machineBusyPercent {
      object["machine_cpu_busy_percent"] = Self.rounded(busy, 1)
    }
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }

  private static func rounded(_ value: Double, _ digits: Int) -> Double {
    let scale = pow(10, Double(digits))
    return (value * scale).rounded() / scale
  }
}
