import Foundation
import GRPCCore
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Testing

@testable import WireProtocol

// MARK: Server and client

/// A running `GRPCServer` on a ``WireServerTransport`` bound to 127.0.0.1.
struct TestServer: Sendable {
  let server: GRPCServer<WireServerTransport>
  let transport: WireServerTransport
  let port: Int
}

struct TimedOut: Error, CustomStringConvertible {
  var description: String
}

/// Runs a server (127.0.0.1, port 0) with `service` while `body` runs, then shuts it down
/// gracefully; a shutdown that takes longer than 10 s is an issue (and is then cancelled).
func withTestServer<R: Sendable>(
  service: TestService = TestService(),
  configure: (inout WireServerTransport.Configuration) -> Void = { _ in },
  _ body: (TestServer) async throws -> R
) async throws -> R {
  var configuration = WireServerTransport.Configuration(
    host: "127.0.0.1", port: 0, tls: TestPKI.server)
  configuration.gracePeriod = .seconds(5)
  configure(&configuration)
  var logger = Logger(label: "wire-protocol-tests")
  logger.logLevel = .warning
  let transport = WireServerTransport(configuration: configuration, logger: logger)
  let server = GRPCServer(transport: transport, services: [service])
  return try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await server.serve() }
    let result: Result<R, any Error>
    do {
      guard let port = try await transport.listeningAddress.port else {
        throw TimedOut(description: "no port")
      }
      result = .success(
        try await body(TestServer(server: server, transport: transport, port: port)))
    } catch {
      result = .failure(error)
    }
    server.beginGracefulShutdown()
    group.addTask {
      try await Task.sleep(for: .seconds(10))
      throw TimedOut(description: "the server did not shut down within 10 s")
    }
    do {
      try await group.next()
    } catch {
      Issue.record("\(error)")
    }
    group.cancelAll()
    return try result.get()
  }
}

/// Runs `body` with a `GRPCClient` on a ``WireClientTransport`` to the test server.
func withTestClient<R: Sendable>(
  port: Int,
  certificate: String = "admin",
  configure: (inout WireClientTransport.Configuration) -> Void = { _ in },
  _ body: (GRPCClient<WireClientTransport>) async throws -> R
) async throws -> R {
  var configuration = WireClientTransport.Configuration(
    host: "127.0.0.1", port: port, tls: TestPKI.client(certificate))
  configure(&configuration)
  return try await withGRPCClient(transport: WireClientTransport(configuration: configuration)) {
    client in
    try await body(client)
  }
}

extension GRPCClient {
  /// A unary call with raw bytes.
  func call(
    _ method: MethodDescriptor, _ message: [UInt8] = [], metadata: Metadata = [:],
    timeout: Duration? = nil
  ) async throws -> [UInt8] {
    var options = CallOptions.defaults
    options.timeout = timeout
    return try await self.unary(
      request: ClientRequest(message: message, metadata: metadata), descriptor: method,
      serializer: BytesSerializer(), deserializer: BytesDeserializer(), options: options
    ) { response in
      try response.message
    }
  }

  /// A unary call expected to fail; returns its error.
  func callError(
    _ method: MethodDescriptor, _ message: [UInt8] = [], metadata: Metadata = [:],
    timeout: Duration? = nil
  ) async -> RPCError? {
    do {
      let response = try await self.call(method, message, metadata: metadata, timeout: timeout)
      Issue.record("the call succeeded with \(response.count) bytes")
      return nil
    } catch let error as RPCError {
      return error
    } catch {
      Issue.record("not an RPCError: \(error)")
      return nil
    }
  }
}

/// Runs `body` with the port of a TCP listener that accepts connections and never answers
/// (a server stuck before TLS).
func withSilentServer<R: Sendable>(_ body: (Int) async throws -> R) async throws -> R {
  let accepted = Mutex<[any Channel]>([])
  let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .childChannelInitializer { channel in
      accepted.withLock { $0.append(channel) }
      return channel.eventLoop.makeSucceededVoidFuture()
    }
    .bind(host: "127.0.0.1", port: 0)
    .get()
  let result: Result<R, any Error>
  do {
    result = .success(try await body(server.localAddress?.port ?? 0))
  } catch {
    result = .failure(error)
  }
  try? await server.close()
  for channel in accepted.withLock({ $0 }) { try? await channel.close() }
  return try result.get()
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func waitUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
  let deadline = ContinuousClock.now + timeout
  while !condition() {
    if ContinuousClock.now >= deadline { return false }
    try? await Task.sleep(for: .milliseconds(5))
  }
  return true
}

// MARK: A raw client

/// A hand-driven client: sends arbitrary bytes and frames over TLS (or plain TCP), collects
/// the frames the server sends, answers pings if asked to, and can stop reading the socket.
final class RawClient: Sendable {
  struct State {
    var frames: [Volunteer_Wire_V1_Frame] = []
    var closed = false
    var errors: [String] = []
    var stopReading = false
  }

  let channel: any Channel
  private let box: StateBox

  private init(channel: any Channel, box: StateBox) {
    self.channel = channel
    self.box = box
  }

  var frames: [Volunteer_Wire_V1_Frame] { self.box.state.withLock { $0.frames } }
  var isClosed: Bool { self.box.state.withLock { $0.closed } }
  var errors: [String] { self.box.state.withLock { $0.errors } }

  /// The GoAway frames received.
  var goAways: [Volunteer_Wire_V1_GoAway] {
    self.frames.compactMap { if case .goaway(let goAway) = $0.kind { goAway } else { nil } }
  }

  /// The Status frames received, by call id.
  var statuses: [UInt32: Volunteer_Wire_V1_Status] {
    var result: [UInt32: Volunteer_Wire_V1_Status] = [:]
    for frame in self.frames {
      if case .status(let status) = frame.kind { result[frame.callID] = status }
    }
    return result
  }

  /// A client TLS configuration trusting the dev CA, presenting `certificate` if given.
  static func tls(certificate: String? = "admin") throws -> TLSConfiguration {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile("\(TestPKI.directory)/ca.crt"))
    tls.certificateVerification = .noHostnameVerification
    tls.applicationProtocols = [ConnectionPreface.alpnProtocol]
    if let certificate {
      tls.certificateChain = try NIOSSLCertificate.fromPEMFile(
        "\(TestPKI.directory)/\(certificate).crt"
      ).map { .certificate($0) }
      tls.privateKey = .privateKey(
        try NIOSSLPrivateKey(file: "\(TestPKI.directory)/\(certificate).key", format: .pem))
    }
    return tls
  }

  /// Connects to 127.0.0.1:`port`; `tls` nil means plain TCP.
  static func connect(
    port: Int, tls: TLSConfiguration? = try? RawClient.tls(), answerPings: Bool = false
  ) async throws -> RawClient {
    let box = StateBox()
    let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let sync = channel.pipeline.syncOperations
          try sync.addHandler(ReadStopper(box: box))
          if let sslContext {
            try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: nil))
          }
          try sync.addHandler(
            ByteToMessageHandler(FrameDecoder(expectsPreface: false, maxFrameSize: 1 << 26)))
          try sync.addHandler(Collector(box: box, answerPings: answerPings))
        }
      }
      .connect(host: "127.0.0.1", port: port)
      .get()
    return RawClient(channel: channel, box: box)
  }

  func send(_ bytes: [UInt8]) async throws {
    try await self.channel.writeAndFlush(ByteBuffer(bytes: bytes))
  }

  func send(_ frames: Volunteer_Wire_V1_Frame...) async throws {
    var bytes: [UInt8] = []
    for frame in frames {
      bytes += Array(try frame.encodedWithLengthPrefix(allocator: .init()).readableBytesView)
    }
    try await self.send(bytes)
  }

  /// Stops reading the socket (TLS included) from now on.
  func stopReading() {
    self.box.state.withLock { $0.stopReading = true }
  }

  /// Waits until the server closed the connection.
  func waitForClose(timeout: Duration = .seconds(5)) async -> Bool {
    await waitUntil(timeout: timeout) { self.isClosed }
  }

  /// Waits until a frame matching `predicate` arrived.
  func waitForFrame(
    timeout: Duration = .seconds(5), _ predicate: (Volunteer_Wire_V1_Frame) -> Bool
  ) async -> Volunteer_Wire_V1_Frame? {
    var found: Volunteer_Wire_V1_Frame?
    _ = await waitUntil(timeout: timeout) {
      found = self.frames.first(where: predicate)
      return found != nil || self.isClosed
    }
    return found ?? self.frames.first(where: predicate)
  }

  func close() async {
    try? await self.channel.close()
  }

  // MARK: Frames

  static func open(_ callID: UInt32, _ method: String, metadata: [(String, String)] = [])
    -> Volunteer_Wire_V1_Frame
  {
    var open = Volunteer_Wire_V1_Open()
    open.method = method
    open.metadata = metadata.map { key, value in
      var entry = Volunteer_Wire_V1_MetadataEntry()
      entry.key = key
      entry.text = value
      return entry
    }
    return .call(callID, .open(open))
  }

  static func message(_ callID: UInt32, _ bytes: [UInt8]) -> Volunteer_Wire_V1_Frame {
    var message = Volunteer_Wire_V1_Message()
    message.data = Data(bytes)
    return .call(callID, .message(message))
  }

  static func halfClose(_ callID: UInt32) -> Volunteer_Wire_V1_Frame {
    .call(callID, .halfClose(.init()))
  }

  static func ping(_ opaque: UInt64, callID: UInt32 = 0) -> Volunteer_Wire_V1_Frame {
    var ping = Volunteer_Wire_V1_Ping()
    ping.opaque = opaque
    return .call(callID, .ping(ping))
  }

  /// Path of a test method.
  static func path(_ method: MethodDescriptor) -> String { "/" + method.fullyQualifiedMethod }
}

private final class StateBox: Sendable {
  let state = Mutex(RawClient.State())
}

/// Holds back every read once the client stopped reading (it sits before TLS).
private final class ReadStopper: ChannelOutboundHandler {
  typealias OutboundIn = ByteBuffer
  let box: StateBox
  init(box: StateBox) { self.box = box }

  func read(context: ChannelHandlerContext) {
    if !self.box.state.withLock({ $0.stopReading }) { context.read() }
  }
}

/// Records the frames the server sends and the close.
private final class Collector: ChannelInboundHandler {
  typealias InboundIn = FrameDecoder.Output
  typealias OutboundOut = ByteBuffer
  let box: StateBox
  let answerPings: Bool

  init(box: StateBox, answerPings: Bool) {
    self.box = box
    self.answerPings = answerPings
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard case .frame(let frame) = self.unwrapInboundIn(data) else { return }
    self.box.state.withLock { $0.frames.append(frame) }
    if self.answerPings, case .ping(let ping) = frame.kind {
      var pong = Volunteer_Wire_V1_Pong()
      pong.opaque = ping.opaque
      if let bytes = try? Volunteer_Wire_V1_Frame.connection(.pong(pong))
        .encodedWithLengthPrefix(allocator: context.channel.allocator)
      {
        context.writeAndFlush(self.wrapOutboundOut(bytes), promise: nil)
      }
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    self.box.state.withLock { $0.errors.append("\(error)") }
    context.close(promise: nil)
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.box.state.withLock { $0.closed = true }
    context.fireChannelInactive()
  }
}
