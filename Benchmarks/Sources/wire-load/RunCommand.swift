import ArgumentParser
import BenchmarkSupport
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
  /// Hours.LogHours of one new one-hour record per call (volunteers from --volunteer or
  /// --volunteers-file, the activity from --activity): a durable write through group commit.
  case logHours = "log-hours"
  /// Evaluations.Evaluate of the --volunteer numbers: the credit summary and the policy rules.
  case evaluate
  /// Credentials.ExportCredentials of the caller's whole scope, streamed: calls/s and
  /// credentials/s.
  case export
}

/// Which client transport carries the calls.
enum LoadTransport: String, ExpressibleByArgument, CaseIterable, Sendable {
  /// The project's wire protocol (WireClientTransport) on --port.
  case wire
  /// Stock gRPC over HTTP/2 and TLS (grpc-swift-nio-transport) on --grpc-port.
  case grpc
  /// The Health.Check request frames of the wire protocol, written raw over mutual TLS to
  /// `wire-load echo-server`, which sends every byte back: the ceiling without GRPCCore, the
  /// interceptors or the store.
  case echo
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

  @Option(help: "The client transport: wire (--port), grpc (--grpc-port) or echo (--port of an echo-server).")
  var transport: LoadTransport = .wire

  @Option(help: "The server's stock gRPC/HTTP2 port, for --transport grpc.")
  var grpcPort: Int?

  @Option(
    help: ArgumentHelp(
      "A file of volunteer numbers, one a line (as `setup` prints them), added to --volunteer.",
      valueName: "path"))
  var volunteersFile: String?

  @Option(help: ArgumentHelp("The published activity log-hours records against.", valueName: "id"))
  var activity: String?

  @Option(
    help: ArgumentHelp(
      "First slot log-hours uses; give each run on the same data its own range.",
      valueName: "n"))
  var firstSlot = 0

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
    let needsVolunteers: Set<LoadMethod> = [.getVolunteer, .logHours, .evaluate]
    if needsVolunteers.contains(self.method), self.volunteers.isEmpty, self.volunteersFile == nil {
      throw ValidationError(
        "--method \(self.method.rawValue) needs --volunteer NUMBER or --volunteers-file "
          + "(wire-load setup registers them).")
    }
    if self.method == .logHours, self.activity == nil {
      throw ValidationError(
        "--method log-hours needs --activity ID (wire-load setup-activity creates one).")
    }
    if self.transport == .grpc, self.grpcPort == nil {
      throw ValidationError("--transport grpc needs --grpc-port (the server's --grpc-port).")
    }
    if self.transport == .echo, self.method != .health {
      throw ValidationError("--transport echo sends Health.Check frames only: use --method health.")
    }
    if let path = self.volunteersFile, !FileManager.default.isReadableFile(atPath: path) {
      throw ValidationError("--volunteers-file \(path): no such readable file.")
    }
    if let pid = self.serverPid, ProcessSample.read(pid: String(pid)) == nil {
      throw ValidationError("--server-pid \(pid): cannot read /proc/\(pid)/stat.")
    }
  }

  func run() async throws {
    let ownGroup = self.clientThreads.map { MultiThreadedEventLoopGroup(numberOfThreads: $0) }
    let eventLoopGroup: any EventLoopGroup = ownGroup ?? MultiThreadedEventLoopGroup.singleton
    var volunteers = self.volunteers
    if let path = self.volunteersFile {
      volunteers += try String(contentsOfFile: path, encoding: .utf8)
        .split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    }
    let settings = LoadSettings(
      method: self.method, volunteers: volunteers, activity: self.activity,
      firstSlot: self.firstSlot,
      concurrency: self.concurrency, duration: self.duration, calls: self.calls,
      warmup: self.warmup, serverPID: self.serverPid.map { String($0) },
      options: self.connection.callOptions)
    let outcome: Swift.Result<LoadResult, any Error>
    do {
      switch self.transport {
      case .wire:
        let clients = (0..<self.connections).map { _ in
          GRPCClient(
            transport: WireClientTransport(
              configuration: self.connection.transportConfiguration, eventLoopGroup: eventLoopGroup))
        }
        outcome = .success(try await runLoad(clients: clients, settings: settings))
      case .grpc:
        let clients = try (0..<self.connections).map { _ in
          GRPCClient(
            transport: try self.connection.grpcTransport(
              port: self.grpcPort ?? self.connection.port, eventLoopGroup: eventLoopGroup))
        }
        outcome = .success(try await runLoad(clients: clients, settings: settings))
      case .echo:
        outcome = .success(
          try await runEchoLoad(
            connections: self.connections, connection: self.connection, settings: settings,
            eventLoopGroup: eventLoopGroup))
      }
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
      label: self.label, host: self.connection.host,
      port: self.transport == .grpc ? (self.grpcPort ?? 0) : self.connection.port,
      transport: self.transport, connections: self.connections, settings: settings,
      result: result)
    let json = try report.json()
    if let path = self.jsonOut {
      try Data((json + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }
    print(self.json ? json : report.table())
  }
}

/// Waits until every client answers a Health.Check, then runs the load on them.
private func runLoad<Transport: ClientTransport>(
  clients: [GRPCClient<Transport>], settings: LoadSettings
) async throws -> LoadResult {
  try await withClients(clients) { clients in
    try await withThrowingTaskGroup(of: Void.self) { group in
      for client in clients {
        group.addTask { try await waitUntilServing(client, options: settings.options) }
      }
      try await group.waitForAll()
    }
    return try await measureLoad(
      settings: settings, workers: clients.count * settings.concurrency
    ) { offset, control in
      await work(
        client: clients[offset / settings.concurrency], offset: offset, settings: settings,
        control: control)
    }
  }
}

/// What every worker needs to know, copied out of the command.
struct LoadSettings: Sendable {
  var method: LoadMethod
  var volunteers: [String]
  var activity: String?
  var firstSlot: Int
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
  /// The next unused (volunteer, day, hour) slot for log-hours.
  let nextSlot: Atomic<Int>
  /// Tells this run's idempotency keys from any other run's.
  let runID = String(UInt32.random(in: .min ... .max), radix: 36)
  let limit: Int?

  init(limit: Int?, firstSlot: Int) {
    self.limit = limit
    self.nextSlot = Atomic(firstSlot)
  }
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
  /// Credentials received inside the window (export).
  var items = 0
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
  var items = 0

  var succeeded: Int { Int(self.latencies.totalCount) }
  var failed: Int { self.errors.values.reduce(0, +) }
  var completed: Int { self.succeeded + self.failed }
}

/// Runs `workers` copies of `worker` (each given its index and the shared control), through a
/// warm-up and a measured window, and gathers what they and /proc saw.
func measureLoad(
  settings: LoadSettings, workers: Int,
  _ worker: @escaping @Sendable (Int, LoadControl) async -> WorkerResult
) async throws -> LoadResult {
  let control = LoadControl(limit: settings.calls, firstSlot: settings.firstSlot)
  let workers = Task {
    await withTaskGroup(of: WorkerResult.self, returning: [WorkerResult].self) { group in
      for offset in 0..<workers {
        group.addTask { await worker(offset, control) }
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
  var items = 0
  for result in results {
    items += result.items
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
    serverEnd: serverEnd, clientCPU: clientCPU, machineBusyPercent: machineBusy, items: items)
}

/// One of the M loops of a connection: issues calls back to back until told to stop.
private func work<Transport: ClientTransport>(
  client: GRPCClient<Transport>, offset: Int, settings: LoadSettings, control: LoadControl
) async -> WorkerResult {
  let calls = LoadCalls(client: client, settings: settings, control: control)
  var next = offset
  return await runWorker(control: control) {
    defer { next += 1 }
    return try await calls.make(sequence: next)
  }
}

/// Issues calls with `call` (which returns the items it received) until the control says stop,
/// tallying the ones that started and ended inside the measured window.
func runWorker(control: LoadControl, _ call: () async throws -> Int) async -> WorkerResult {
  var result = WorkerResult()
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
    var items = 0
    do {
      items = try await call()
    } catch let error as RPCError {
      let name = error.code.upperSnakeCaseName
      failure = name
      if result.firstError == nil { result.firstError = "\(name): \(error.message)" }
    } catch let error as LoadFailure {
      failure = error.code
      if result.firstError == nil { result.firstError = "\(error.code): \(error.message)" }
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
    } else {
      result.items += items
    }
  }
  return result
}

/// A call that completed but with the wrong answer.
struct LoadFailure: Error {
  var code: String
  var message: String
}
