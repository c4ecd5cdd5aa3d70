import Foundation
import VolunteerService

/// Measures what one evaluation costs (the store's credit read plus the policy rules) for a
/// volunteer with 1 approved record and one with `--records` approved records (default
/// 100,000), on a fresh SQLite store built through the store's own write paths (log, then
/// approve), so the credit buckets are the ones production keeps.
///
///   swift run -c release --package-path Benchmarks evaluation-cost [--records N] [--iterations K]
@main
struct EvaluationCost {
  static func main() async throws {
    var records = 100_000
    var iterations = 2_000
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
      switch argument {
      case "--records": records = Int(arguments.popFirst() ?? "") ?? records
      case "--iterations": iterations = Int(arguments.popFirst() ?? "") ?? iterations
      default:
        print("usage: evaluation-cost [--records N] [--iterations K]")
        exit(2)
      }
    }
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("vrs-evaluation-cost-\(getpid())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store = try SQLiteRecordStore(path: directory + "/volunteer.sqlite")
    let policy = try EvaluationPolicy(
      json: Data(contentsOf: URL(fileURLWithPath: "Policies/national.json")))
    let admin = "spiffe://volunteer/admin/bootstrap"
    try await store.bootstrap(
      root: .root(id: "national", name: "National", regionCode: "100000"),
      admin: Principal(
        id: admin, role: .admin, scopeOrganisationID: "national", displayName: "admin",
        createdAt: Date(), createdBy: "bootstrap"))

    // Days of 96 quarter-hour records (24 h, approved with a province-level cap override).
    let perDay = 96
    let days = (records + perDay - 1) / perDay
    let zone = TimeZone(identifier: "Asia/Shanghai")!
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let today = calendar.startOfDay(for: Date())
    let first = today.addingTimeInterval(-Double(days + 2) * 86_400)
    let activity = try await store.addActivity(
      { id in
        Activity(
          id: id, organisationID: "national", title: "Benchmark", category: .elderlyCare,
          regionCode: "110105", place: "", window: ActivityWindow(start: first, end: today),
          plannedMinutes: 15, personInCharge: "bench", status: .published, createdAt: Date(),
          createdBy: admin)
      }, idempotency: Self.claim("activity", admin)
    ).value

    var numbers: [String] = []
    for index in 0..<2 {
      let volunteer = try await store.registerVolunteer(
        NewVolunteer { number in
          VolunteerRecord(
            number: number, realName: "张三", documentType: .residentID,
            sealedDocumentNumber: [UInt8(index)], documentHash: "hash-\(index)",
            maskedDocumentNumber: "1101**********00\(index)X",
            birthDate: CalendarDate(year: 2004, month: 5, day: 17)!, sex: .male,
            sealedPhone: nil, maskedPhone: nil, organisationID: "national",
            guardianConsent: nil, registeredAt: Date(), registeredBy: admin)
        }, idempotency: Self.claim("volunteer-\(index)", admin))
      numbers.append(volunteer.value.number)
    }

    let started = ContinuousClock.now
    try await Self.fill(
      store: store, volunteer: numbers[0], activity: activity.id, count: 1, first: first,
      perDay: perDay, admin: admin, zone: zone)
    try await Self.fill(
      store: store, volunteer: numbers[1], activity: activity.id, count: records, first: first,
      perDay: perDay, admin: admin, zone: zone)
    print("setup: \(records + 1) records logged and approved in \(ContinuousClock.now - started)")

    // Baselines: the cheapest pooled read, and the volunteer read every evaluation starts with.
    let heavy = numbers[1]
    let baselines: [(String, @Sendable () async throws -> Void)] = [
      ("read baseline (SELECT 1)", { @Sendable in try await store.checkHealth() }),
      ("volunteer read", { @Sendable in _ = try await store.volunteer(number: heavy, withinScope: "national") }),
    ]
    for (label, body) in baselines {
      var samples: [Double] = []
      for _ in 0..<iterations {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
      }
      samples.sort()
      print(String(format: "%@: p50 %.1f µs, p99 %.1f µs", label, samples[samples.count / 2], samples[samples.count * 99 / 100]))
    }

    let asOf = CalendarDate.today(in: zone, now: Date())
    for (label, number, expected) in [("1 record", numbers[0], 1), ("\(records) records", numbers[1], records)] {
      var samples: [Double] = []
      samples.reserveCapacity(iterations)
      var evaluation: Evaluation?
      for _ in 0..<iterations {
        let start = ContinuousClock.now
        guard
          let (volunteer, summary) = try await store.creditSummary(
            ofVolunteer: number, asOf: asOf, withinScope: "national")
        else { fatalError("volunteer \(number) not found") }
        evaluation = Evaluation.evaluate(
          volunteerNumber: number, summary: summary, birthDate: volunteer.birthDate, asOf: asOf,
          policy: policy)
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
      }
      guard let evaluation, evaluation.summary.approvedRecords == expected else {
        fatalError("expected \(expected) approved records, got \(String(describing: evaluation?.summary))")
      }
      samples.sort()
      let mean = samples.reduce(0, +) / Double(samples.count)
      print(
        String(
          format: "%@: %d evaluations, mean %.1f µs, p50 %.1f µs, p99 %.1f µs (%d h credited, %d★)",
          label, iterations, mean, samples[samples.count / 2], samples[samples.count * 99 / 100],
          evaluation.summary.lifetimeCreditedHalfHours / 2, evaluation.starLevel))
    }
  }

  static func claim(_ key: String, _ principal: String) -> IdempotencyClaim {
    IdempotencyClaim(principalID: principal, key: key, method: "bench", requestDigest: Array(key.utf8))
  }

  /// Logs `count` quarter-hour records for `volunteer`, `perDay` a day from `first`, in
  /// batches of 1,000, and approves each batch in one ApproveRecords-sized review.
  static func fill(
    store: SQLiteRecordStore, volunteer: String, activity: String, count: Int, first: Date,
    perDay: Int, admin: String, zone: TimeZone
  ) async throws {
    let policy = try LedgerPolicy(timeZoneIdentifier: zone.identifier)
    var logged = 0
    while logged < count {
      let batch = (logged..<min(count, logged + 1_000)).map { index in
        let start = first.addingTimeInterval(Double(index / perDay) * 86_400 + Double(index % perDay) * 900)
        return NewRecord(
          makeRecord: { id in
            ServiceRecord(
              id: id, volunteerNumber: volunteer, activityID: activity, organisationID: "national",
              span: RecordSpan(start: start, end: start.addingTimeInterval(900)), minutes: 15,
              creditedHalfHours: 1, content: "bench", status: .pending, isLate: false,
              submittedBy: admin, submittedAt: Date())
          }, idempotency: Self.claim("\(volunteer)-\(index)", admin))
      }
      let results = try await store.logRecords(batch)
      let ids = try results.map { try $0.get().value.id }
      for outcome in try await store.reviewRecords(
        ids: ids, decision: .approve(note: nil, override: .provinceLevel), by: admin, at: Date(),
        policy: policy, withinScope: "national")
      {
        guard try outcome.get() != nil else { fatalError("a record vanished") }
      }
      logged += batch.count
      if count > 1 { print("\r  \(logged)/\(count) records", terminator: "") }
    }
    if count > 1 { print() }
  }
}
