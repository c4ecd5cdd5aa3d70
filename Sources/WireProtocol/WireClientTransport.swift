import GRPCCore
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A GRPCCore client transport speaking the Volunteer Records wire protocol over mutual TLS.
///
/// Wrap it in a `GRPCClient` (or `withGRPCClient`) and call the generated stubs. It keeps
/// one connection, reconnecting with backoff when it drops; calls made while no connection
/// can be established fail fast with `UNAVAILABLE` naming the cause.
public final class WireClientTransport: ClientTransport {
  public typealias Bytes = [UInt8]

  /// Where to connect and with which credentials.
  public struct Configuration: Sendable {
    /// Server host name or address.
    public var host: String
    /// Server port.
    public var port: Int
    /// This client's certificate and key, and the CA the server must chain to.
    public var tls: WireTLSFiles
    /// The name the server certificate must carry; defaults to `host`.
    public var serverHostname: String?
    /// Give up on a connection attempt after this long (default 10 s).
    public var connectTimeout: Duration = .seconds(10)
    /// Largest frame accepted from the server (default 4 MiB).
    public var maxFrameSize: Int = 4 * 1024 * 1024
    /// Replaces the TLS configuration built from ``tls`` (tests only: e.g. no client
    /// certificate).
    var tlsConfigurationOverride: TLSConfiguration?
    /// The call id of each connection's first call (tests only: to reach the last id).
    var firstCallID: UInt32 = 1

    /// Creates a configuration.
    public init(host: String, port: Int, tls: WireTLSFiles) {
      self.host = host
      self.port = port
      self.tls = tls
    }
  }

  private struct Connection: Sendable {
    var channel: any Channel
    var handler: NIOLoopBound<ClientConnectionHandler>
  }

  private enum ConnectionState {
    /// Calls waiting for the connection, by waiter id.
    case connecting([UInt64: CheckedContinuation<Connection, any Error>])
    case ready(Connection)
    case failed(RPCError)
    case shutDown
  }

  public let retryThrottle: RetryThrottle? = nil
  private let configuration: Configuration
  private let eventLoopGroup: any EventLoopGroup
  private let state = Mutex(ConnectionState.connecting([:]))
  private let nextWaiterID = Atomic<UInt64>(0)
  /// The connection being set up (TLS handshake, settings), so a shutdown can abort it.
  private let attempt = Mutex<NIOLoopBound<ClientConnectionHandler>?>(nil)

  /// Creates a transport; it connects when `GRPCClient` runs ``connect()``.
  public init(
    configuration: Configuration,
    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
  ) {
    self.configuration = configuration
    self.eventLoopGroup = eventLoopGroup
  }

  public func connect() async throws {
    try await withTaskCancellationHandler {
      try await self.runConnections()
    } onCancel: {
      self.shutDownNow()
    }
  }

  /// Keeps one usable connection: connects, and when the connection goes away (a `GoAway` from
  /// the server, or a close) makes a new one for new calls while the old one's calls finish.
  private func runConnections() async throws {
    var backoff = Duration.milliseconds(100)
    var draining: [EventLoopFuture<Void>] = []
    while !self.isShutDown {
      do {
        let connection = try await self.establishConnection()
        let connectedAt = ContinuousClock.now
        let handler = connection.handler
        if !self.publish(connection) {
          // Shut down while connecting.
          handler.eventLoop.execute { handler.value.beginGracefulShutdown() }
        }
        try? await handler.eventLoop.flatSubmit { handler.value.goingAway.futureResult }.get()
        draining.append(handler.eventLoop.flatSubmit { handler.value.closed.futureResult })
        self.connectionStoppedTakingCalls(connection)
        // A connection that served for a while is replaced at once; one that went away right
        // after connecting counts as a failure for the backoff.
        if ContinuousClock.now - connectedAt >= .seconds(1) { backoff = .zero }
      } catch {
        let failure = RPCError(
          code: .unavailable,
          message: "could not connect to \(self.configuration.host):\(self.configuration.port): "
            + "\((error as? RPCError)?.message ?? String(describing: error))")
        self.fail(with: failure)
      }
      // Back off in short slices so a shutdown is noticed promptly.
      let resumeAt = ContinuousClock.now + backoff
      while !self.isShutDown, ContinuousClock.now < resumeAt {
        try? await Task.sleep(for: .milliseconds(50))
      }
      backoff = backoff == .zero ? .milliseconds(100) : min(backoff * 2, .seconds(5))
      self.state.withLock { state in
        if case .failed = state { state = .connecting([:]) }
      }
    }
    // Connections that went away still finish their calls; return once they have closed.
    for closed in draining { try? await closed.get() }
  }

  /// Makes new calls wait for the next connection if `connection` is still the current one.
  private func connectionStoppedTakingCalls(_ connection: Connection) {
    self.state.withLock { state in
      if case .ready(let current) = state, current.channel === connection.channel {
        state = .connecting([:])
      }
    }
  }

  /// Task cancellation: stops at once, closing the connection and failing calls.
  private func shutDownNow() {
    self.shutDown(waitersFailWith: "the client was cancelled") { connection in
      connection.channel.close(promise: nil)
    }
  }

  public func beginGracefulShutdown() {
    self.shutDown(waitersFailWith: "the client is shutting down") { connection in
      connection.handler.eventLoop.execute { connection.handler.value.beginGracefulShutdown() }
    }
  }

  /// Moves to `.shutDown` once: aborts a connection attempt, fails the calls waiting for a
  /// connection with `reason`, and hands a ready connection to `closeConnection`.
  private func shutDown(waitersFailWith reason: String, closeConnection: (Connection) -> Void) {
    let previous = self.state.withLock { state in
      defer { state = .shutDown }
      return state
    }
    self.abortAttempt()
    switch previous {
    case .connecting(let waiters):
      for waiter in waiters.values {
        waiter.resume(throwing: RPCError(code: .unavailable, message: reason))
      }
    case .ready(let connection):
      closeConnection(connection)
    case .failed, .shutDown:
      break
    }
  }

  public func withStream<T: Sendable>(
    descriptor: MethodDescriptor,
    options: CallOptions,
    _ closure: (_ stream: RPCStream<Inbound, Outbound>, _ context: ClientContext) async throws -> T
  ) async throws -> T {
    let path = "/" + descriptor.fullyQualifiedMethod
    var attempts = 0
    var connection: Connection
    var reserved: ReservedCall
    while true {
      // A call refused by a connection that stopped taking calls never started: it goes to
      // the next connection.
      connection = try await self.readyConnection()
      let handler = connection.handler
      do {
        reserved = try await handler.eventLoop.flatSubmit {
          handler.value.reserveCall(path: path, eventLoop: handler.eventLoop)
        }.get()
        break
      } catch let refusal as ConnectionNotAcceptingCalls {
        attempts += 1
        guard attempts < 5 else { throw refusal.reason }
        self.connectionStoppedTakingCalls(connection)
      }
    }
    let handler = connection.handler
    let localID = reserved.localID
    defer {
      handler.eventLoop.execute { handler.value.release(localID: localID) }
    }
    let stream = RPCStream(
      descriptor: descriptor,
      inbound: reserved.inbound,
      outbound: RPCWriter.Closable(
        wrapping: ClientCallWriter(connection: handler, localID: reserved.localID))
    )
    let context = ClientContext(
      descriptor: descriptor,
      remotePeer: "\(connection.channel.remoteAddress.map { "\($0)" } ?? "unknown")",
      localPeer: "\(connection.channel.localAddress.map { "\($0)" } ?? "unknown")"
    )
    return try await closure(stream, context)
  }

  public func config(forMethod descriptor: MethodDescriptor) -> MethodConfig? {
    nil
  }

  // MARK: Connection management

  private var isShutDown: Bool {
    self.state.withLock { state in
      if case .shutDown = state { true } else { false }
    }
  }

  /// The current connection, waiting while one is being made. A caller whose task is
  /// cancelled stops waiting (a deadline must not wait for a slow connection attempt).
  private func readyConnection() async throws -> Connection {
    let id = self.nextWaiterID.add(1, ordering: .relaxed).newValue
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        let result = self.state.withLock { state -> Result<Connection, any Error>? in
          switch state {
          case .ready(let connection):
            return .success(connection)
          case .failed(let error):
            return .failure(error)
          case .shutDown:
            return .failure(RPCError(code: .unavailable, message: "the client is shut down"))
          case .connecting(var waiters):
            if Task.isCancelled { return .failure(CancellationError()) }
            waiters[id] = continuation
            state = .connecting(waiters)
            return nil
          }
        }
        if let result { continuation.resume(with: result) }
      }
    } onCancel: {
      let waiter = self.state.withLock { state -> CheckedContinuation<Connection, any Error>? in
        guard case .connecting(var waiters) = state, let waiter = waiters.removeValue(forKey: id)
        else { return nil }
        state = .connecting(waiters)
        return waiter
      }
      waiter?.resume(throwing: CancellationError())
    }
  }

  private func publish(_ connection: Connection) -> Bool {
    let waiters = self.state.withLock { state -> [CheckedContinuation<Connection, any Error>]? in
      switch state {
      case .connecting(let waiters):
        state = .ready(connection)
        return Array(waiters.values)
      case .failed:
        state = .ready(connection)
        return []
      case .ready, .shutDown:
        return nil
      }
    }
    guard let waiters else { return false }
    for waiter in waiters { waiter.resume(returning: connection) }
    return true
  }

  private func fail(with error: RPCError) {
    let waiters = self.state.withLock { state -> [CheckedContinuation<Connection, any Error>] in
      switch state {
      case .connecting(let waiters):
        state = .failed(error)
        return Array(waiters.values)
      case .ready, .failed:
        state = .failed(error)
        return []
      case .shutDown:
        return []
      }
    }
    for waiter in waiters { waiter.resume(throwing: error) }
  }

  /// Closes the connection being set up, if any: the client is shutting down.
  private func abortAttempt() {
    guard let handler = self.attempt.withLock({ $0 }) else { return }
    handler.eventLoop.execute {
      handler.value.abort(RPCError(code: .unavailable, message: "the client is shutting down"))
    }
  }

  private func establishConnection() async throws -> Connection {
    let config = self.configuration
    let sslContext = try NIOSSLContext(
      configuration: try config.tlsConfigurationOverride ?? config.tls.makeClientConfiguration())
    let serverHostname = config.serverHostname ?? config.host
    // SNI must not carry an IP address.
    let sniHostname = serverHostname.contains(where: { $0 == ":" }) || serverHostname.allSatisfy({ $0.isNumber || $0 == "." })
      ? nil : serverHostname
    let connection = try await ClientBootstrap(group: self.eventLoopGroup)
      .connectTimeout(TimeAmount(config.connectTimeout))
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let sync = channel.pipeline.syncOperations
          let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: sniHostname)
          try sync.addHandler(tls)
          try sync.addHandler(
            ByteToMessageHandler(
              FrameDecoder(expectsPreface: false, maxFrameSize: config.maxFrameSize)))
          try sync.addHandler(
            ClientConnectionHandler(eventLoop: channel.eventLoop, firstCallID: config.firstCallID))
        }
      }
      .connect(host: config.host, port: config.port)
      .flatMapThrowing { channel in
        let handler = try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
        return Connection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
      }
      .get()
    let handler = connection.handler
    // The TLS handshake and the server's settings must also arrive within the connect timeout.
    let channel = connection.channel
    let timeout = handler.eventLoop.scheduleTask(in: TimeAmount(config.connectTimeout)) {
      handler.value.abort(
        RPCError(
          code: .unavailable,
          message: "no TLS handshake and settings from the server within "
            + "\(config.connectTimeout.milliseconds) ms"))
    }
    self.attempt.withLock { $0 = handler }
    defer {
      timeout.cancel()
      self.attempt.withLock { $0 = nil }
    }
    if self.isShutDown { self.abortAttempt() }
    do {
      try await handler.eventLoop.flatSubmit { handler.value.ready.futureResult }.get()
    } catch {
      channel.close(promise: nil)
      throw error
    }
    return connection
  }
}
