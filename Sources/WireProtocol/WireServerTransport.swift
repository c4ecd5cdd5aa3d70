import GRPCCore
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A GRPCCore server transport speaking the Volunteer Records wire protocol:
/// length-prefixed protobuf frames over mutual TLS on TCP (see docs/PROTOCOL.md).
///
/// Pass it to `GRPCServer`; the services it serves know nothing of the wire. Each accepted
/// connection runs in its own child task, so one misbehaving connection never takes the
/// server down, and each call in a task of its connection's group.
public final class WireServerTransport: ServerTransport {
  public typealias Bytes = [UInt8]

  /// Where and how the server listens, with every limit and timer of its connections.
  public struct Configuration: Sendable {
    /// Host to bind, e.g. "127.0.0.1" or "0.0.0.0".
    public var host: String
    /// Port to bind; 0 picks a free port (see ``WireServerTransport/listeningAddress``).
    public var port: Int
    /// The server certificate and the partner CA that client certificates must chain to.
    public var tls: WireTLSFiles
    /// Largest frame accepted, in bytes (default 4 MiB).
    public var maxFrameSize: Int = 4 * 1024 * 1024
    /// Largest metadata block accepted, in bytes (default 8 KiB).
    public var maxMetadataSize: Int = 8 * 1024
    /// Most calls open at once on one connection (default 256).
    public var maxConcurrentCallsPerConnection: Int = 256
    /// Ping after this much silence from the client; `nil` never pings (default 60 s).
    public var keepaliveInterval: Duration? = .seconds(60)
    /// Close when a ping goes unanswered this long (default 20 s).
    public var keepaliveTimeout: Duration = .seconds(20)
    /// Close a connection with no open call after this long (default 5 min); `nil` never.
    public var idleTimeout: Duration? = .seconds(300)
    /// The TLS handshake and preface must complete within this (default 10 s).
    public var handshakeTimeout: Duration = .seconds(10)
    /// Open calls may run this long after a graceful shutdown began (default 30 s).
    public var gracePeriod: Duration = .seconds(30)
    /// Announced to clients in the settings frame.
    public var serverVersion: String = "volunteer-records"
    /// Connections held at once; a connection accepted beyond it is closed at once, before
    /// any TLS work, so a flood cannot exhaust memory or file descriptors.
    public var maxConnections: Int = 20_000
    /// Connections one principal may hold at once (counted after the handshake); beyond
    /// it the connection gets GoAway RESOURCE_EXHAUSTED.
    public var maxConnectionsPerPrincipal: Int = 100
    /// Client certificate serials refused after the handshake (lower-case hex, no
    /// separators): GoAway UNAUTHENTICATED before any call is served.
    public var revokedSerials: Set<String> = []
    /// How long a closing connection may take to flush its last frames before its TCP
    /// connection is closed regardless (a client that stopped reading never lets them through).
    var closeTimeout: Duration = .seconds(5)
    /// Replaces the TLS configuration built from ``tls`` (tests only).
    var tlsConfigurationOverride: TLSConfiguration?

    /// Creates a configuration with safe defaults for every limit.
    public init(host: String, port: Int, tls: WireTLSFiles) {
      self.host = host
      self.port = port
      self.tls = tls
    }
  }

  private struct State {
    var serverChannel: (any Channel)?
    var connections: [ObjectIdentifier: NIOLoopBound<ServerConnectionHandler>] = [:]
    var isShuttingDown = false
    var addressWaiters: [CheckedContinuation<SocketAddress, any Error>] = []
    /// The server's methods by path, so calls carry the descriptors the router registered
    /// (a descriptor's equality includes its RPC type, which a path alone does not give).
    var methodsByPath: [String: MethodDescriptor] = [:]
    var listeningAddress: Result<SocketAddress, any Error>?
  }

  private struct Connection: Sendable {
    var channel: any Channel
    var handler: NIOLoopBound<ServerConnectionHandler>
    var calls: AsyncStream<AcceptedCall>
  }

  private let configuration: Configuration
  private let eventLoopGroup: any EventLoopGroup
  private let logger: Logger
  private let state = Mutex(State())
  /// Connection counts and the revoked serials, shared by every connection.
  private let admission: ConnectionAdmission

  /// TCP connections currently held, authenticated or not (a gauge for operators).
  public var openConnections: Int { self.admission.acceptedConnections }

  /// Creates a transport; it binds when `GRPCServer` calls ``listen(streamHandler:)``.
  public init(
    configuration: Configuration,
    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    logger: Logger = Logger(label: "volunteer.wire.server")
  ) {
    self.configuration = configuration
    self.eventLoopGroup = eventLoopGroup
    self.logger = logger
    self.admission = ConnectionAdmission(
      revokedSerials: configuration.revokedSerials, maxConnections: configuration.maxConnections,
      maxConnectionsPerPrincipal: configuration.maxConnectionsPerPrincipal)
  }

  /// The address the server is bound to, once it is listening.
  public var listeningAddress: SocketAddress {
    get async throws {
      try await withCheckedThrowingContinuation { continuation in
        let ready = self.state.withLock { state -> Result<SocketAddress, any Error>? in
          if let address = state.listeningAddress { return address }
          state.addressWaiters.append(continuation)
          return nil
        }
        if let ready { continuation.resume(with: ready) }
      }
    }
  }

  public func configure(context: GRPCServerContext) {
    let methods = Dictionary(
      context.methods.map { ("/" + $0.fullyQualifiedMethod, $0) }, uniquingKeysWith: { a, _ in a })
    self.state.withLock { $0.methodsByPath = methods }
  }

  public func listen(
    streamHandler: @escaping @Sendable (
      _ stream: RPCStream<Inbound, Outbound>, _ context: ServerContext
    ) async -> Void
  ) async throws {
    let serverChannel: NIOAsyncChannel<Connection, Never>
    do {
      let sslContext = try NIOSSLContext(
        configuration: try self.configuration.tlsConfigurationOverride
          ?? self.configuration.tls.makeServerConfiguration())
      let handlerConfiguration = self.handlerConfiguration
      let logger = self.logger
      let admission = self.admission
      let maxFrameSize = self.configuration.maxFrameSize
      let maxOpenSize = FrameDecoder.maxOpenSize(maxMetadataSize: self.configuration.maxMetadataSize)
      let revocation = RevokedSerialCheck(serials: self.configuration.revokedSerials)
      serverChannel = try await ServerBootstrap(group: self.eventLoopGroup)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelOption(.socketOption(.so_keepalive), value: 1)
        .bind(host: self.configuration.host, port: self.configuration.port) { channel in
          let accepted = admission.accept()
          if accepted {
            channel.closeFuture.whenComplete { _ in admission.closed() }
          }
          return channel.eventLoop.makeCompletedFuture {
            let (calls, continuation) = AsyncStream.makeStream(of: AcceptedCall.self)
            let handler = ServerConnectionHandler(
              configuration: handlerConfiguration, acceptedCalls: continuation, logger: logger)
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(revocation.makeServerHandler(context: sslContext))
            try sync.addHandler(
              ByteToMessageHandler(
                FrameDecoder(
                  expectsPreface: true, maxFrameSize: maxFrameSize,
                  maxOpenSize: maxOpenSize)))
            try sync.addHandler(handler)
            if !accepted {
              // Over the limit: closed before any TLS work, so a flood costs an accept and a
              // close. (Failing the initializer instead would surface in the accept loop.)
              logger.debug("connection limit reached; closing a new connection")
              channel.close(promise: nil)
            }
            return Connection(
              channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
              calls: calls)
          }
        }
    } catch {
      self.publishAddress(.failure(error))
      throw error
    }

    let address = serverChannel.channel.localAddress
    let shutDownAlready = self.state.withLock { state in
      state.serverChannel = serverChannel.channel
      return state.isShuttingDown
    }
    if let address {
      self.publishAddress(.success(address))
      self.logger.info("listening", metadata: ["address": "\(address)"])
    }
    if shutDownAlready { serverChannel.channel.close(promise: nil) }

    try await withThrowingDiscardingTaskGroup { group in
      try await serverChannel.executeThenClose { connections in
        for try await connection in connections {
          group.addTask {
            await self.serve(connection, streamHandler: streamHandler)
          }
        }
      }
    }
  }

  public func beginGracefulShutdown() {
    let (channel, connections) = self.state.withLock { state in
      state.isShuttingDown = true
      return (state.serverChannel, Array(state.connections.values))
    }
    channel?.close(promise: nil)
    for connection in connections {
      connection.eventLoop.execute { connection.value.beginGracefulShutdown() }
    }
  }

  private func serve(
    _ connection: Connection,
    streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void
  ) async {
    let key = ObjectIdentifier(connection.channel)
    let shuttingDown = self.state.withLock { state in
      state.connections[key] = connection.handler
      return state.isShuttingDown
    }
    defer { _ = self.state.withLock { $0.connections.removeValue(forKey: key) } }
    if shuttingDown {
      let handler = connection.handler
      handler.eventLoop.execute { handler.value.beginGracefulShutdown() }
    }

    await withDiscardingTaskGroup { group in
      for await call in connection.calls {
        group.addTask {
          await withServerContextRPCCancellationHandle { handle in
            call.cancellation.attach(handle)
            var context = ServerContext(
              descriptor: call.stream.descriptor, remotePeer: call.remotePeer,
              localPeer: call.localPeer, cancellation: handle)
            context.transportSpecific = call.identity
            await streamHandler(call.stream, context)
          }
        }
      }
      // The calls end when the connection closes, or early when this task is cancelled (the
      // server stopping abruptly): close the connection then; a no-op if it is closed.
      connection.channel.close(promise: nil)
    }
  }

  private var handlerConfiguration: ServerConnectionHandler.Configuration {
    let config = self.configuration
    var settings = Volunteer_Wire_V1_Settings()
    settings.protocolVersion = UInt32(ConnectionPreface.protocolVersion)
    settings.serverVersion = config.serverVersion
    settings.maxFrameSize = UInt32(clamping: config.maxFrameSize)
    settings.maxConcurrentCalls = UInt32(clamping: config.maxConcurrentCallsPerConnection)
    settings.maxMetadataSize = UInt32(clamping: config.maxMetadataSize)
    settings.keepaliveIntervalMs = UInt32(clamping: config.keepaliveInterval?.milliseconds ?? 0)
    settings.idleTimeoutMs = UInt32(clamping: config.idleTimeout?.milliseconds ?? 0)
    return .init(
      stateMachine: .init(
        maxConcurrentCalls: config.maxConcurrentCallsPerConnection,
        keepaliveInterval: config.keepaliveInterval.map(TimeAmount.init),
        keepaliveTimeout: TimeAmount(config.keepaliveTimeout),
        idleTimeout: config.idleTimeout.map(TimeAmount.init),
        handshakeTimeout: TimeAmount(config.handshakeTimeout),
        gracePeriod: TimeAmount(config.gracePeriod)
      ),
      maxMetadataSize: config.maxMetadataSize,
      maxFrameSize: min(config.maxFrameSize, Int(UInt32.max)),
      closeTimeout: TimeAmount(config.closeTimeout),
      settings: settings,
      methodsByPath: self.state.withLock { $0.methodsByPath },
      admission: self.admission
    )
  }

  private func publishAddress(_ result: Result<SocketAddress, any Error>) {
    let waiters = self.state.withLock { state in
      state.listeningAddress = result
      defer { state.addressWaiters.removeAll() }
      return state.addressWaiters
    }
    for waiter in waiters { waiter.resume(with: result) }
  }
}

extension Duration {
  /// Whole milliseconds, rounded down.
  var milliseconds: Int64 {
    let (seconds, attoseconds) = self.components
    return seconds * 1000 + attoseconds / 1_000_000_000_000_000
  }
}
