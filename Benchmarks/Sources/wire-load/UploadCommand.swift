import ArgumentParser
import BenchmarkSupport
import Foundation
import GRPCCore
import NIOPosix
import SwiftProtobuf
import WireProtocol

/// Measures Hours.UploadHours: batches of new records streamed over several connections.
struct UploadCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "upload",
    abstract: "Upload batches of service records and report records/s (run on fresh data).",
    discussion: """
      As the given certificate (an admin or a partner scoped to --org): creates and publishes \
      one activity spanning the last 360 days, registers --volunteers volunteers (fixed keys, \
      as `setup` does), then sends --batches UploadHours calls of --batch-size records each, \
      --connections calls at a time. Every record is new and valid: one hour, on its own \
      slot (volunteer, day, one of four hours), so none overlaps another or passes the daily \
      cap. Slots are numbered from zero each run, so run it on a fresh data directory: on \
      reused data the same slots overlap the records already there and are refused.

      Reports records accepted per second over the upload phase (from the first call to the \
      last reply), the per-call latency, and any refusals with their first message.
      """
  )

  @Option(help: "Volunteers to spread the records over (1-999).")
  var volunteers = 200

  @Option(help: "Records per UploadHours call (1-10000).")
  var batchSize = 1_000

  @Option(help: "UploadHours calls to make.")
  var batches = 20

  @Option(help: "Calls in flight at once, each on its own connection.")
  var connections = 2

  @Option(help: ArgumentHelp("Organisation of the activity and volunteers.", valueName: "org-id"))
  var org = "national"

  @Option(help: ArgumentHelp("Also write the result as JSON to this file.", valueName: "path"))
  var jsonOut: String?

  @OptionGroup
  var connection: ConnectionOptions

  /// Slots per volunteer and day: 08, 10, 13 and 15 o'clock, one hour each.
  static let hours = [8.0, 10, 13, 15]
  static let days = 360

  func validate() throws {
    guard (1...999).contains(self.volunteers) else {
      throw ValidationError("--volunteers must be between 1 and 999.")
    }
    guard (1...10_000).contains(self.batchSize) else {
      throw ValidationError("--batch-size must be between 1 and 10000.")
    }
    guard self.batches >= 1, self.connections >= 1 else {
      throw ValidationError("--batches and --connections must be at least 1.")
    }
    let slots = self.volunteers * Self.days * Self.hours.count
    guard self.batches * self.batchSize <= slots else {
      throw ValidationError(
        "\(self.batches * self.batchSize) records need more than the \(slots) slots of "
          + "\(self.volunteers) volunteers; raise --volunteers.")
    }
  }

  func run() async throws {
    let clients = (0..<self.connections).map { _ in
      GRPCClient(
        transport: WireClientTransport(
          configuration: self.connection.transportConfiguration,
          eventLoopGroup: MultiThreadedEventLoopGroup.singleton))
    }
    do {
      try await withClients(clients) { clients in
        try await self.measure(clients)
      }
    } catch let error as RPCError {
      reportFailure(error, host: self.connection.host, port: self.connection.port)
      throw ExitCode(error.code == .unavailable ? 3 : 1)
    }
  }

  private func measure(_ clients: [GRPCClient<WireClientTransport>]) async throws {
    let options = self.connection.callOptions
    try await waitUntilServing(clients[0], options: options)
    let today = Calendar(identifier: .gregorian).startOfDay(for: Date())
    let activityID = try await SetupActivityCommand.create(
      org: self.org, client: clients[0], options: options)
    let volunteers = try await SetupCommand.register(
      count: self.volunteers, org: self.org, client: clients[0], options: options)
    print("activity \(activityID), \(volunteers.count) volunteers; uploading \(self.batches) × \(self.batchSize) records over \(self.connections) connections")

    let run = UUID().uuidString.prefix(8)
    func batch(_ number: Int) -> [Volunteer_V1_LogHoursRequest] {
      (0..<self.batchSize).map { offset in
        let slot = number * self.batchSize + offset
        let volunteer = slot % volunteers.count
        let day = (slot / volunteers.count) % Self.days
        let hour = Self.hours[slot / (volunteers.count * Self.days)]
        let start = today.addingTimeInterval(-Double(Self.days - day) * 86_400 + hour * 3_600)
        return .with {
          $0.idempotencyKey = "wl-\(run)-\(slot)"
          $0.volunteerNumber = volunteers[volunteer]
          $0.activityID = activityID
          $0.startTime = Google_Protobuf_Timestamp(date: start)
          $0.endTime = Google_Protobuf_Timestamp(date: start.addingTimeInterval(3_600))
          $0.content = "benchmark record"
          $0.travelTimeExcluded = true
        }
      }
    }

    let clock = ContinuousClock()
    let started = clock.now
    let results = try await withThrowingTaskGroup(
      of: (accepted: Int, refused: Int, firstRefusal: String?, latency: Duration).self
    ) { group in
      var next = 0
      func submit() {
        let number = next
        next += 1
        let hours = Volunteer_V1_Hours.Client(wrapping: clients[number % clients.count])
        let records = batch(number)
        group.addTask {
          let callStart = clock.now
          let response = try await hours.uploadHours(
            options: options, requestProducer: { try await $0.write(contentsOf: records) })
          let refusal = response.results.lazy.compactMap {
            if case .refused(let refused) = $0.outcome { refused.message } else { nil }
          }.first
          return (Int(response.accepted), Int(response.refused), refusal, clock.now - callStart)
        }
      }
      for _ in 0..<min(self.connections, self.batches) { submit() }
      var all: [(accepted: Int, refused: Int, firstRefusal: String?, latency: Duration)] = []
      while let result = try await group.next() {
        all.append(result)
        if next < self.batches { submit() }
      }
      return all
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let accepted = results.reduce(0) { $0 + $1.accepted }
    let refused = results.reduce(0) { $0 + $1.refused }
    let latencies = results.map { Double($0.latency.components.seconds) * 1e3 + Double($0.latency.components.attoseconds) / 1e15 }.sorted()
    let median = latencies[latencies.count / 2]
    let slowest = latencies.last ?? 0
    print(String(format: "accepted %d, refused %d in %.2f s: %.0f records/s; per call p50 %.0f ms, max %.0f ms",
      accepted, refused, seconds, Double(accepted) / seconds, median, slowest))
    if let refusal = results.lazy.compactMap(\.firstRefusal).first {
      print("first refusal: \(refusal)")
    }
    if let path = self.jsonOut {
      let json: [String: Any] = [
        "label": "upload-\(self.batches)x\(self.batchSize)-c\(self.connections)",
        "accepted": accepted, "refused": refused, "seconds": seconds,
        "records_per_second": Double(accepted) / seconds, "call_p50_ms": median,
        "call_max_ms": slowest,
      ]
      try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        .write(to: URL(fileURLWithPath: path))
    }
    if refused > 0 { throw ExitCode(1) }
  }
}
