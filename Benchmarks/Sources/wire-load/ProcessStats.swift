import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// CPU time and memory of a process, read from Linux's /proc.
struct ProcessSample: Sendable {
  /// utime + stime, in seconds.
  var cpuSeconds: Double
  /// VmRSS and VmHWM (peak resident set), in KiB; nil where /proc/PID/status lacks them.
  var rssKiB: Int?
  var peakRSSKiB: Int?

  /// Reads /proc/PID/stat and /proc/PID/status ("self" for this process); nil if the process
  /// is gone or this is not Linux.
  static func read(pid: String) -> ProcessSample? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    // After "pid (comm)": field 3 (state) is index 0, so utime (14) and stime (15) are 11, 12.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else {
      return nil
    }
    let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    var sample = ProcessSample(cpuSeconds: (utime + stime) / ticksPerSecond)
    if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) {
      for line in status.split(separator: "\n") {
        let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
        guard parts.count >= 2 else { continue }
        if parts[0] == "VmRSS" { sample.rssKiB = Int(parts[1]) }
        if parts[0] == "VmHWM" { sample.peakRSSKiB = Int(parts[1]) }
      }
    }
    return sample
  }
}

/// Busy and total jiffies of the whole machine, from the first line of /proc/stat.
struct MachineSample {
  var busy: Double
  var total: Double

  static func read() -> MachineSample? {
    guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
      let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
    else { return nil }
    // user nice system idle iowait irq softirq steal (guest time is inside user already).
    let values = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
    guard values.count == 8 else { return nil }
    let total = values.reduce(0, +)
    return MachineSample(busy: total - values[3] - values[4], total: total)
  }

  /// Share of all cores busy between `self` and a later sample, in percent.
  func busyPercent(until later: MachineSample) -> Double? {
    let total = later.total - self.total
    return total > 0 ? 100 * (later.busy - self.busy) / total : nil
  }
}
