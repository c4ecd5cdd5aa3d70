import ArgumentParser
import BenchmarkSupport
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import WireProtocol

/// Opens many idle wire-protocol connections and reports the server's memory as they grow.
struct HoldCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hold",
    abstract: "Hold N idle connections and report the server's RSS per connection.",
    discussion: """
      Opens connections in steps (--steps, ascending; the last is the total), 100 handshakes \
      at a time. Each connection does the mutual-TLS handshake, sends the preface and waits \
      for the server's Settings: an established, idle wire-protocol \
      connection. After each step it waits --settle seconds and reads the server's VmRSS \
      (/proc/PID/status). Reports RSS at each step and the KiB per connection between the \
      first and the last step. Raise `ulimit -n` (client and server) above the total, and the \
      server's limits.maxConnectionsPerPrincipal, keepaliveIntervalSeconds and \
      idleTimeoutSeconds above the run's length.
      """
  )

  @OptionGroup
  var connection: ConnectionOptions

  @Option(
    parsing: .upToNextOption,
    help: ArgumentHelp("Connection counts at which to read the server's RSS.", valueName: "n"))
  var steps: [Int] = [0, 100, 1_000, 5_000, 10_000]

  @Option(help: "The server's process id (required: its RSS is the measurement).")
  var serverPid: Int32

  @Option(help: ArgumentHelp("Seconds to wait after each step before reading RSS.", valueName: "s"))
  var settle: Double = 2

  @Option(help: ArgumentHelp("Also write the result as JSON to this file.", valueName: "path"))
  var jsonOut: String?

  func validate() throws {
    guard !self.steps.isEmpty, self.steps.allSatisfy({ $0 >= 0 }), self.steps == self.steps.sorted() else {
      throw ValidationError("--steps must be ascending counts, 0 or more.")
    }
    guard ProcessSample.read(pid: String(self.serverPid)) != nil else {
      throw ValidationError("--server-pid \(self.serverPid): cannot read /proc/\(self.serverPid)/stat.")
    }
  }

  func run() async throws {
    let tls = try WireTLSFiles(
      certificateChainPath: self.connection.cert, privateKeyPath: self.connection.key,
      trustRootsPath: self.connection.ca
    ).makeClientConfiguration()
    let context = try NIOSSLContext(configuration: tls)
    let group = MultiThreadedEventLoopGroup.singleton
    var channels: [any Channel] = []
    var rows: [(connections: Int, rssKiB: Int)] = []
    let clock = ContinuousClock()
    for step in self.steps {
      let started = clock.now
      while channels.count < step {
        let batch = min(100, step - channels.count)
        try await withThrowingTaskGroup(of: (any Channel).self) { tasks in
          for _ in 0..<batch {
            tasks.addTask {
              try await Self.openIdle(
                host: self.connection.host, port: self.connection.port, context: context,
                group: group)
            }
          }
          for try await channel in tasks { channels.append(channel) }
        }
      }
      let opened = clock.now - started
      try await Task.sleep(for: .milliseconds(Int64(self.settle * 1000)))
      let open = channels.filter(\.isActive).count
      guard let sample = ProcessSample.read(pid: String(self.serverPid)), let rss = sample.rssKiB else {
        throw ValidationError("the server (pid \(self.serverPid)) is gone")
      }
      guard open == channels.count else {
        throw ValidationError("the server closed \(channels.count - open) of \(channels.count) connections")
      }
      rows.append((open, rss))
      print(
        String(
          format: "%6d connections  server RSS %8.1f MiB  (opened in %.1f s)", open,
          Double(rss) / 1024, opened.seconds))
    }
    var perConnection: Double?
    if let first = rows.first, let last = rows.last, last.connections > first.connections {
      perConnection = Double(last.rssKiB - first.rssKiB) / Double(last.connections - first.connections)
      print(String(format: "server RSS per idle connection: %.1f KiB", perConnection ?? 0))
    }
    for channel in channels { channel.close(promise: nil) }
    if let path = self.jsonOut {
      var object: [String: Any] = [
        "steps": rows.map { ["connections": $0.connections, "rss_kib": $0.rssKiB] },
        "cores": ProcessInfo.processInfo.activeProcessorCount,
      ]
      if let perConnection { object["rss_kib_per_connection"] = (perConnection * 10).rounded() / 10 }
      try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        .write(to: URL(fileURLWithPath: path))
    }
  }

  /// A connection that has sent the preface and received the server's first bytes (Settings).
  static func openIdle(
    host: String, port: Int, context: NIOSSLContext, group: any EventLoopGroup
  ) async throws -> any Channel {
    let (channel, waiter) = try await RawTLSConnection.connect(
      host: host, port: port, context: context, group: group, timeout: .seconds(30)
    ) { eventLoop in FirstReadWaiter(eventLoop: eventLoop) }
    let firstRead = try await channel.eventLoop.submit { waiter.value.firstRead }.get()
    try await channel.writeAndFlush(RawFrames.preface(allocator: channel.allocator))
    try await firstRead.get()
    return channel
  }
}

/// Completes `firstRead` when the peer sends anything, and fails it if the connection ends
/// first; then swallows what follows (an idle connection gets nothing but pings).
final class FirstReadWaiter: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer

  private let promise: EventLoopPromise<Void>
  var firstRead: EventLoopFuture<Void> { self.promise.futureResult }

  init(eventLoop: any EventLoop) { self.promise = eventLoop.makePromise() }

  private var settled = false

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    self.settle(.success(()))
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.settle(.failure(ChannelError.eof))
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    self.settle(.failure(error))
    context.close(promise: nil)
  }

  private func settle(_ result: Result<Void, any Error>) {
    guard !self.settled else { return }
    self.settled = true
    self.promise.completeWith(result)
  }
}
