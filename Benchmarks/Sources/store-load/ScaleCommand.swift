import ArgumentParser
import BenchmarkSupport
import Foundation
import Histogram
import VolunteerService

/// Fills a store through the batch path and measures reads and durable writes as it grows.
struct ScaleCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scale",
    abstract: "Fill a store to each --steps record count; measure reads, writes and size there.",
    discussion: """
      Registers --volunteers volunteers (64 concurrent callers, group commit), then for each \
      step fills the store with one-hour records through logRecords (the UploadHours path, \
      --batch-size records a call, 2 calls in flight) until it holds that many, and measures:

        reads   --reads volunteer reads (the store side of GetVolunteer: the keyed row and the \
      scope check) of random volunteers, one at a time: p50/p99/p99.9
        writes  --writes single-record logRecord calls from 64 concurrent callers (LogHours' \
      group-commit path): records/s and latency
        size    the database file and its WAL, in bytes per record

      --dir must not hold a database yet; it is kept afterwards for inspection.
      """
  )

  @Option(help: "Volunteers to register (the records are spread evenly over them).")
  var volunteers = 100_000

  @Option(parsing: .upToNextOption, help: "Record counts at which to measure, ascending.")
  var steps: [Int] = [1_000_000]

  @Option(help: "Records per logRecords call while filling.")
  var batchSize = 1_000

  @Option(help: "Volunteer reads measured at each step.")
  var reads = 5_000

  @Option(help: "Single-record writes measured at each step.")
  var writes = 5_000

  @Option(help: ArgumentHelp("Directory for the new database (kept).", valueName: "path"))
  var dir: String

  @Option(help: ArgumentHelp("Also write the results as JSON to this file.", valueName: "path"))
  var jsonOut: String?

  func validate() throws {
    guard !self.steps.isEmpty, self.steps == self.steps.sorted(), self.steps.allSatisfy({ $0 > 0 }) else {
      throw ValidationError("--steps must be ascending record counts above 0.")
    }
    let slots = self.volunteers * StoreLoad.days * StoreLoad.hours.count
    guard let last = self.steps.last, last + self.steps.count * self.writes <= slots else {
      throw ValidationError("the last step needs more slots than \(self.volunteers) volunteers have: raise --volunteers.")
    }
  }

  func run() async throws {
    try FileManager.default.createDirectory(atPath: self.dir, withIntermediateDirectories: true)
    let path = self.dir + "/volunteer.sqlite"
    guard !FileManager.default.fileExists(atPath: path) else {
      throw ValidationError("\(path) exists: give --dir an empty directory.")
    }
    let metrics = ServiceMetrics()
    let store = try SQLiteRecordStore(path: path, metricsFactory: metrics.factory)
    let clock = ContinuousClock()
    var started = clock.now
    let fixture = try await Fixture.make(store: store, volunteers: self.volunteers) { index in
      showProgress("registering volunteers: \(index)")
    }
    showProgress(nil)
    print(String(format: "%d volunteers registered in %.1f s", self.volunteers, (clock.now - started).seconds))
    var written = 0
    var results: [[String: Any]] = []
    for step in self.steps {
      started = clock.now
      var lastReport = clock.now
      let fillFrom = written
      while written < step {
        let first = written
        let counts = [self.batchSize, self.batchSize].enumerated().map { index, size in
          (first + index * size)..<min(step, first + (index + 1) * size)
        }.filter { !$0.isEmpty }
        try await withThrowingTaskGroup(of: Void.self) { group in
          for range in counts {
            group.addTask {
              for outcome in try await store.logRecords(range.map(fixture.record(slot:))) {
                _ = try outcome.get()
              }
            }
          }
          try await group.waitForAll()
        }
        written = counts.last?.upperBound ?? written
        if clock.now - lastReport > .seconds(5) {
          lastReport = clock.now
          let rate = Double(written - fillFrom) / (clock.now - started).seconds
          showProgress(String(format: "filling: %d / %d records, %.0f records/s", written, step, rate))
        }
      }
      let fillSeconds = (clock.now - started).seconds
      let fillRate = Double(written - fillFrom) / max(fillSeconds, 1e-9)
      showProgress(nil)
      print(String(format: "%d records (filled %d at %.0f records/s)", written, written - fillFrom, fillRate))

      var readLatencies = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
      for _ in 0..<self.reads {
        let number = fixture.volunteers[Int.random(in: 0..<fixture.volunteers.count)]
        let readStart = clock.now
        guard try await store.volunteer(number: number, withinScope: "national") != nil else {
          throw ValidationError("volunteer \(number) not found")
        }
        readLatencies.record((clock.now - readStart).microseconds)
      }
      let writePhase = try await GroupCommitPhase.run(
        store: store, fixture: fixture, metrics: metrics,
        slots: written..<(written + self.writes), callers: 64)
      written += self.writes
      let bytes = Self.fileSize(path) + Self.fileSize(path + "-wal")
      print(
        String(
          format: "  reads   p50 %d µs, p99 %d µs, p99.9 %d µs\n  writes  %@\n  size    %.2f GiB, %.0f bytes per record",
          readLatencies.valueAtPercentile(50), readLatencies.valueAtPercentile(99),
          readLatencies.valueAtPercentile(99.9), writePhase.summary,
          Double(bytes) / 1_073_741_824, Double(bytes) / Double(written)))
      results.append([
        "records": written, "volunteers": self.volunteers, "fill_records_per_second": fillRate,
        "read_us": [
          "p50": readLatencies.valueAtPercentile(50), "p99": readLatencies.valueAtPercentile(99),
          "p99_9": readLatencies.valueAtPercentile(99.9),
        ],
        "writes": writePhase.json, "database_bytes": bytes,
        "bytes_per_record": Double(bytes) / Double(written),
      ])
      if let path = self.jsonOut {
        try JSONSerialization.data(withJSONObject: ["steps": results], options: [.sortedKeys])
          .write(to: URL(fileURLWithPath: path))
      }
    }
  }

  static func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
  }
}

/// Rewrites one progress line on standard error (unbuffered); `nil` ends it.
func showProgress(_ text: String?) {
  FileHandle.standardError.write(Data((text.map { "\r  " + $0 } ?? "\n").utf8))
}
