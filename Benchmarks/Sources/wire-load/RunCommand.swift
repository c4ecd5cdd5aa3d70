import ArgumentParser
import Foundation
import GRPCCore
import Histogram
import NIOCore
import NIOPosix
import Synchronization
import WireProtocol

/// The RPC each call makes.
enum LoadMethod: String, ExpressibleByArgument, CaseIterable, Sendable {
  /// Health.Check: authentication, the interceptor and a store ping; the cheapest real call.
  case health
  /// Volunteers.GetVolunteer of the numbers given with --volunteer: a keyed SQLite read plus
  /// personal-data decryption for an admin caller.
  case getVolunteer = "get-volunteer"
}

struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Drive unary calls at the server and report throughput and latency (the default).",
    discussion: """
      Opens --connections connections (each its own WireClientTransport and GRPCClient), \
      waits until each answers a Health.Check, then runs --concurrency tasks per connection \
      that issue calls back to back. After --warmup seconds it measures for --duration \
      seconds (or until --calls calls have completed). A call counts when it both started and \
      finished inside the measured window; its latency, in microseconds, goes into an \
      HdrHistogram (3 significant digits) if it succeeded. calls/s counts successful calls.

      With --server-pid, the server's CPU time (utime + stime in /proc/PID/stat) over the \
      window is divided by the calls counted, and its VmRSS / VmHWM are read at the end. The \
      client shares the machine with the server: its own CPU per call and the machine's busy \
      share are reported too.
      """
  )

  @OptionGroup
  var connection: ConnectionOptions

  @Option(help: "Connections, each its own WireClientTransport and GRPCClient.")
  var connections = 4

  @Option(help: "Calls in flight per connection.")
  var concurrency = 16

  @Option(help: ArgumentHelp("Seconds to measure, after the warm-up.", valueName: "seconds"))
  var duration: Double = 10

  @Option(help: ArgumentHelp("Measure this many calls instead of a duration.", valueName: "count"))
  var calls: Int?

  @Option(help: ArgumentHelp("Seconds of load before measuring.", valueName: "seconds"))
  var warmup: Double = 2

  @Option(help: "The call to make.")
  var method: LoadMethod = .health

  @Option(
    name: .customLong("volunteer"),
    help: ArgumentHelp(
      "Volunteer number for get-volunteer; repeat to cycle through several.", valueName: "number"))
  var volunteers: [String] = []

  @Option(help: "The server's process id: report its CPU time per call and its memory (Linux).")
  var serverPid: Int32?

  @Option(help: "Client event-loop threads (default: NIO's shared group, one per core).")
  var clientThreads: Int?

  @Option(help: "A name for this run, copied into the report.")
  var label: String?

  @Flag(help: "Print one JSON object (snake_case keys) instead of the table.")
  var json = false

  @Option(help: ArgumentHelp("Also write the JSON object to this file.", valueName: "path"))
  var jsonOut: String?

  func validate() throws {
    guard self.connections >= 1 else { throw ValidationError("--connections must be at least 1.") }
    guard self.concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1.") }
    guard self.duration.isFinite, self.duration > 0 else {
      throw ValidationError("--duration must be a number of seconds above 0.")
    }
    guard self.warmup.isFinite, self.warmup >= 0 else {
      throw ValidationError("--warmup must be a number of seconds, 0 or more.")
    }
    if let calls = self.calls, calls < 1 {
      throw ValidationError("--calls must be at least 1.")
    }
    if let threads = self.clientThreads, threads < 1 {
      throw ValidationError("--client-threads must be at least 1.")
    }
    if self.method == .getVolunteer, self.volunteers.isEmpty {
      throw ValidationError(
        "--method get-volunteer needs --volunteer NUMBER (wire-load setup registers one).")
    }
    if let pid = self.serverPid, ProcessSample.read(pid: String(pid)) == nil {
      throw ValidationError("--server-pid \(pid): cannot read /proc/\(pid)/stat.")
    }
  }

  func run() async throws {
    let ownGroup = self.clientThreads.map { MultiThreadedEventLoopGroup(numberOfThreads: $0) }
    let eventLoopGroup: any EventLoopGroup = ownGroup ?? MultiThreadedEventLoopGroup.singleton
    let clients = (0..<self.connections).map { _ in
      GRPCClient(
        transport: WireClientTransport(
          configuration: self.connection.transportConfiguration, eventLoopGroup: eventLoopGroup))
    }
    let settings = LoadSettings(
      method: self.method, volunteers: self.volunteers, concurrency: self.concurrency,
      duration: self.duration, calls: self.calls, warmup: self.warmup,
      serverPID: self.serverPid.map { String($0) }, options: self.connection.callOptions)
    let outcome: Swift.Result<LoadResult, any Error>
    do {
      outcome = .success(
        try await withClients(clients) { clients in
          try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients {
              group.addTask { try await waitUntilServing(client, options: settings.options) }
            }
            try await group.waitForAll()
          }
          return try await runLoad(clients: clients, settings: settings)
        })
    } catch {
      outcome = .failure(error)
    }
    try await ownGroup?.shutdownGracefully()
    let result: LoadResult
    do {
      result = try outcome.get()
    } catch let error as RPCError {
      reportFailure(error, host: self.connection.host, port: self.connection.port)
      throw ExitCode(error.code == .unavailable ? 3 : 1)
    }
    let report = Report(
      label: self.label, host: self.connection.host, port: self.connection.port,
      connections: self.connections, settings: settings, result: result)
    let json = try report.json()
    if let path = self.jsonOut {
      try Data((json + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }
    print(self.json ? json : report.table())
  }
}

/// What every worker needs to know, copied out of the command.
struct LoadSettings: Sendable {
  var method: LoadMethod
  var volunteers: [String]
  var concurrency: Int
  var duration: Double
  var calls: Int?
  var warmup: Double
  var serverPID: String?
  var options: CallOptions
}

/// Shared between the workers: the phase (0 warm-up, 1 measuring, 2 stop) and, with
/// --calls, the tickets handed out so far.
final class LoadControl: Sendable {
  static let warmingUp = 0
  static let measuring = 1
  static let stopping = 2

  let phase = Atomic<Int>(LoadControl.warmingUp)
  let claimed = Atomic<Int>(0)
  let limit: Int?

  init(limit: Int?) { self.limit = limit }
}

/// One worker's tally.
struct WorkerResult: Sendable {
  var latencies = Histogram<UInt64>(
    highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
  var errors: [String: Int] = [:]
  var firstError: String?
  var warmupCalls = 0
  var warmupErrors = 0
  var unrecordable = 0
}

/// Everything measured by one run.
struct LoadResult: Sendable {
  var window: Double
  var latencies: Histogram<UInt64>
  var errors: [String: Int]
  var firstError: String?
  var warmupCalls: Int
  var warmupErrors: Int
  var serverStart: ProcessSample?
  var serverEnd: ProcessSample?
  var clientCPU: Double?
  var machineBusyPercent: Double?

  var succeeded: Int { Int(self.latencies.totalCount) }
  var failed: Int { self.errors.values.reduce(0, +) }
  var completed: Int { self.succeeded + self.failed }
}

private func runLoad(
  clients: [GRPCClient<WireClientTransport>], settings: LoadSettings
) async throws -> LoadResult {
  let control = LoadControl(limit: settings.calls)
  let workers = Task {
    await withTaskGroup(of: WorkerResult.self, returning: [WorkerResult].self) { group in
      for (connectionIndex, client) in clients.enumerated() {
        for slot in 0..<settings.concurrency {
          let offset = connectionIndex * settings.concurrency + slot
          group.addTask { await work(client: client, offset: offset, settings: settings, control: control) }
        }
      }
      var results: [WorkerResult] = []
      for await result in group { results.append(result) }
      return results
    }
  }
  // Whatever happens below, the workers stop.
  defer { control.phase.store(LoadControl.stopping, ordering: .relaxed) }

  try await Task.sleep(for: .milliseconds(Int64(settings.warmup * 1000)))
  let clock = ContinuousClock()
  let serverStart = settings.serverPID.flatMap { ProcessSample.read(pid: $0) }
  let clientStart = ProcessSample.read(pid: "self")
  let machineStart = MachineSample.read()
  let windowStart = clock.now
  control.phase.store(LoadControl.measuring, ordering: .relaxed)

  var windowEnd: ContinuousClock.Instant
  var serverEnd: ProcessSample?
  var clientEnd: ProcessSample?
  var machineEnd: MachineSample?
  let results: [WorkerResult]
  if settings.calls == nil {
    try await Task.sleep(for: .milliseconds(Int64(settings.duration * 1000)))
    control.phase.store(LoadControl.stopping, ordering: .relaxed)
    windowEnd = clock.now
    serverEnd = settings.serverPID.flatMap { ProcessSample.read(pid: $0) }
    clientEnd = ProcessSample.read(pid: "self")
    machineEnd = MachineSample.read()
    results = await workers.value
  } else {
    // The window closes when the last ticketed call has finished.
    results = await workers.value
    windowEnd = clock.now
    serverEnd = settings.serverPID.flatMap { ProcessSample.read(pid: $0) }
    clientEnd = ProcessSample.read(pid: "self")
    machineEnd = MachineSample.read()
  }
  // The server's memory after the load, not while the last calls were in flight.
  if let pid = settings.serverPID, let late = ProcessSample.read(pid: pid) {
    serverEnd?.rssKiB = late.rssKiB
    serverEnd?.peakRSSKiB = late.peakRSSKiB
  }

  var latencies = Histogram<UInt64>(
    highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
  var errors: [String: Int] = [:]
  var firstError: String?
  var warmupCalls = 0
  var warmupErrors = 0
  for result in results {
    latencies.add(result.latencies)
    errors.merge(result.errors, uniquingKeysWith: +)
    firstError = firstError ?? result.firstError
    warmupCalls += result.warmupCalls
    warmupErrors += result.warmupErrors
    if result.unrecordable > 0 { errors["LATENCY_ABOVE_120_S", default: 0] += result.unrecordable }
  }
  let window = windowEnd - windowStart
  let clientCPU = clientStart.flatMap { start in clientEnd.map { $0.cpuSeconds - start.cpuSeconds } }
  let machineBusy = machineStart.flatMap { start in machineEnd.flatMap { start.busyPercent(until: $0) } }
  return LoadResult(
    window: window.seconds, latencies: latencies, errors: errors, firstError: firstError,
    warmupCalls: warmupCalls, warmupErrors: warmupErrors, serverStart: serverStart,
    serverEnd: serverEnd, clientCPU: clientCPU, machineBusyPercent: machineBusy)
}

/// One of the M loops of a connection: issues calls back to back until told to stop.
private func work(
  client: GRPCClient<WireClientTransport>, offset: Int, settings: LoadSettings,
  control: LoadControl
) async -> WorkerResult {
  var result = WorkerResult()
  let health = Volunteer_V1_Health.Client(wrapping: client)
  let volunteers = Volunteer_V1_Volunteers.Client(wrapping: client)
  let healthRequest = Volunteer_V1_HealthCheckRequest()
  var volunteerRequests = settings.volunteers.map { number in
    var request = Volunteer_V1_GetVolunteerRequest()
    request.volunteerNumber = number
    return request
  }
  if volunteerRequests.isEmpty { volunteerRequests = [Volunteer_V1_GetVolunteerRequest()] }
  var next = offset
  let clock = ContinuousClock()

  while true {
    let phase = control.phase.load(ordering: .relaxed)
    if phase == LoadControl.stopping { break }
    if phase == LoadControl.measuring, let limit = control.limit,
      control.claimed.wrappingAdd(1, ordering: .relaxed).oldValue >= limit
    {
      break
    }
    let start = clock.now
    var failure: String?
    do {
      switch settings.method {
      case .health:
        let response = try await health.check(healthRequest, options: settings.options)
        if response.status != .serving { failure = "NOT_SERVING" }
      case .getVolunteer:
        let request = volunteerRequests[next % volunteerRequests.count]
        next += 1
        _ = try await volunteers.getVolunteer(request, options: settings.options)
      }
    } catch let error as RPCError {
      failure = error.code.upperSnakeCaseName
      if result.firstError == nil { result.firstError = "\(failure!): \(error.message)" }
    } catch {
      failure = String(describing: type(of: error))
      if result.firstError == nil { result.firstError = "\(error)" }
    }
    let elapsed = clock.now - start

    guard phase == LoadControl.measuring,
      control.phase.load(ordering: .relaxed) == LoadControl.measuring
    else {
      if phase == LoadControl.warmingUp {
        result.warmupCalls += 1
        if failure != nil { result.warmupErrors += 1 }
      }
      continue
    }
    if let failure {
      result.errors[failure, default: 0] += 1
    } else if !result.latencies.record(elapsed.microseconds) {
      result.unrecordable += 1
    }
  }
  return result
}

extension Duration {
  var seconds: Double {
    let (seconds, attoseconds) = self.components
    return Double(seconds) + Double(attoseconds) / 1e18
  }

  var microseconds: UInt64 {
    let (seconds, attoseconds) = self.components
    guard seconds >= 0, attoseconds >= 0 else { return 0 }
    return UInt64(seconds) * 1_000_000 + UInt64(attoseconds / 1_000_000_000_000)
  }
}
