import ArgumentParser
import BenchmarkSupport
import Foundation
import GRDB
import VolunteerService

/// The store measured in-process, without the network (docs/BENCHMARKS.md).
@main
struct StoreLoad: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "store-load",
    abstract: "Measure the SQLite store in-process: durable writes, and reads as it grows.",
    subcommands: [CompareCommand.self, ScaleCommand.self]
  )

  /// Slots per volunteer and day: one hour at 08, 10, 13 and 15 o'clock, over 360 days.
  static let hours = [8.0, 10, 13, 15]
  static let days = 360
  static let admin = "spiffe://volunteer/admin/bootstrap"
}

/// Durable hour logging: the group-commit writer under concurrent single-record callers, the
/// batch path, and raw SQLite inserts of the same rows (the limit), on one fresh store.
struct CompareCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Measure durable record writes: group commit vs the batch path vs raw SQLite.",
    discussion: """
      On a fresh SQLiteRecordStore (WAL, synchronous=FULL) in --dir: registers --volunteers \
      volunteers and one published activity, then, each on fresh (volunteer, day, hour) slots:

        group-commit  --records single-record logRecord calls from --callers concurrent tasks \
      (the path LogHours takes: each call waits until its batch's commit is durable)
        batch         the same number of records through logRecords, --batch-size per call, \
      one call at a time (the path UploadHours takes)
        raw           the service_record rows both phases wrote, re-inserted with one prepared \
      INSERT into a copy of the table (same columns and indexes, no triggers, no checks) in \
      its own database file, --batch-size rows per transaction, synchronous=FULL: the limit
        raw-single    the first 300 of them, one row per transaction: what one fsync per write \
      allows

      Prints records/s per phase, the group-commit call latency (p50/p99/p99.9) and the mean \
      number of operations per commit (the store's own batch-size metric).
      """
  )

  @Option(help: "Records per phase.")
  var records = 20_000

  @Option(help: "Concurrent single-record callers in the group-commit phase.")
  var callers = 64

  @Option(help: "Records per logRecords call, and rows per raw transaction.")
  var batchSize = 1_000

  @Option(help: "Volunteers the records are spread over (each gets 4 one-hour slots a day for 360 days).")
  var volunteers = 500

  @Option(help: ArgumentHelp("Directory for the databases (default: a temporary one, removed after).", valueName: "path"))
  var dir: String?

  @Option(help: ArgumentHelp("Also write the results as JSON to this file.", valueName: "path"))
  var jsonOut: String?

  func validate() throws {
    guard self.records >= 1, self.callers >= 1, self.batchSize >= 1, self.volunteers >= 1 else {
      throw ValidationError("--records, --callers, --batch-size and --volunteers must be at least 1.")
    }
    guard 2 * self.records <= self.volunteers * StoreLoad.days * StoreLoad.hours.count else {
      throw ValidationError("2 × --records needs more slots than \(self.volunteers) volunteers have: raise --volunteers.")
    }
  }

  func run() async throws {
    let directory = self.dir ?? FileManager.default.temporaryDirectory
      .appendingPathComponent("vrs-store-load-\(getpid())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { if self.dir == nil { try? FileManager.default.removeItem(atPath: directory) } }
    let metrics = ServiceMetrics()
    let storePath = directory + "/volunteer.sqlite"
    let store = try SQLiteRecordStore(path: storePath, metricsFactory: metrics.factory)
    let fixture = try await Fixture.make(store: store, volunteers: self.volunteers)
    print("store \(storePath): \(self.volunteers) volunteers, activity \(fixture.activity)")
    var results: [[String: Any]] = []

    // Group commit: `callers` tasks, each taking the next slot until `records` are written.
    let group = try await GroupCommitPhase.run(
      store: store, fixture: fixture, metrics: metrics, slots: 0..<self.records,
      callers: self.callers)
    print("group-commit  " + group.summary)
    results.append(group.json)

    // The batch path: logRecords of batchSize, one call at a time, on the next slots.
    let clock = ContinuousClock()
    let batchStart = clock.now
    var slot = self.records
    while slot < 2 * self.records {
      let end = min(2 * self.records, slot + self.batchSize)
      let outcomes = try await store.logRecords((slot..<end).map(fixture.record(slot:)))
      for outcome in outcomes { _ = try outcome.get() }
      slot = end
    }
    let batchSeconds = (clock.now - batchStart).seconds
    print(
      String(
        format: "batch         %6d records, %4d a call: %8.0f records/s", self.records,
        self.batchSize, Double(self.records) / batchSeconds))
    results.append([
      "phase": "batch", "records": self.records, "batch_size": self.batchSize,
      "seconds": batchSeconds, "records_per_second": Double(self.records) / batchSeconds,
    ])

    // Raw SQLite: the same rows into a copy of the table, in a database of its own.
    let raw = try RawInsert(storePath: storePath, rawPath: directory + "/raw.sqlite")
    let rawRate = try raw.insertAll(batchSize: self.batchSize)
    print(
      String(
        format: "raw           %6d rows, %4d a transaction: %8.0f rows/s", raw.rowCount,
        self.batchSize, rawRate))
    let singleRate = try raw.insertSingles(count: min(300, raw.rowCount))
    print(String(format: "raw-single    %6d rows, 1 a transaction: %8.0f rows/s", min(300, raw.rowCount), singleRate))
    results.append(["phase": "raw", "rows": raw.rowCount, "batch_size": self.batchSize, "rows_per_second": rawRate])
    results.append(["phase": "raw-single", "rows": min(300, raw.rowCount), "rows_per_second": singleRate])

    let groupRate = group.recordsPerSecond
    let batchRate = Double(self.records) / batchSeconds
    print(
      String(
        format: "ratios: group-commit ÷ raw %.2f, batch ÷ raw %.2f, group-commit ÷ raw-single %.1f",
        groupRate / rawRate, batchRate / rawRate, groupRate / singleRate))
    if let path = self.jsonOut {
      try JSONSerialization.data(withJSONObject: ["phases": results, "cores": ProcessInfo.processInfo.activeProcessorCount], options: [.sortedKeys])
        .write(to: URL(fileURLWithPath: path))
    }
  }
}

/// The sum and count of the store's commit batch-size histogram, read from the Prometheus text.
struct BatchSizeSample {
  var sum = 0.0
  var count = 0.0

  init(_ exposition: [UInt8]) {
    for line in String(decoding: exposition, as: UTF8.self).split(separator: "\n") {
      let parts = line.split(separator: " ")
      guard parts.count == 2, let value = Double(parts[1]) else { continue }
      if parts[0].hasPrefix("volunteer_store_commit_batch_size_sum") { self.sum = value }
      if parts[0].hasPrefix("volunteer_store_commit_batch_size_count") { self.count = value }
    }
  }
}
