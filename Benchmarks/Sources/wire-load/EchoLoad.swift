import BenchmarkSupport
import NIOCore
import NIOSSL
import WireProtocol

/// Drives `echo-server` with the Health.Check frames of the wire protocol: per connection,
/// --concurrency loops each write one call's frames and wait until the server has sent that
/// many bytes back. Same TLS, same bytes, same loop as `run`; nothing above NIO and BoringSSL.
func runEchoLoad(
  connections: Int, connection: ConnectionOptions, settings: LoadSettings,
  eventLoopGroup: any EventLoopGroup
) async throws -> LoadResult {
  let tls = try WireTLSFiles(
    certificateChainPath: connection.cert, privateKeyPath: connection.key,
    trustRootsPath: connection.ca
  ).makeClientConfiguration()
  let context = try NIOSSLContext(configuration: tls)
  var channels: [EchoChannel] = []
  for _ in 0..<connections {
    channels.append(
      try await EchoChannel.connect(
        host: connection.host, port: connection.port, context: context, group: eventLoopGroup))
  }
  let connected = channels
  defer { for channel in connected { channel.close() } }
  return try await measureLoad(settings: settings, workers: connections * settings.concurrency) {
    offset, control in
    let channel = connected[offset / settings.concurrency]
    var callID = UInt32(offset % settings.concurrency) * 2 + 1
    return await runWorker(control: control) {
      let frames = try RawFrames.healthCheck(callID: callID, allocator: channel.allocator)
      callID &+= UInt32(settings.concurrency) * 2
      try await channel.roundTrip(frames)
      return 0
    }
  }
}

/// One mutual-TLS connection to an echo server, with the preface already echoed.
struct EchoChannel: Sendable {
  let channel: any Channel
  let counter: NIOLoopBound<EchoCounter>

  var allocator: ByteBufferAllocator { self.channel.allocator }

  static func connect(
    host: String, port: Int, context: NIOSSLContext, group: any EventLoopGroup
  ) async throws -> EchoChannel {
    let (channel, counter) = try await RawTLSConnection.connect(
      host: host, port: port, context: context, group: group, timeout: .seconds(10)
    ) { eventLoop in EchoCounter(eventLoop: eventLoop) }
    let echo = EchoChannel(channel: channel, counter: counter)
    try await echo.roundTrip(RawFrames.preface(allocator: channel.allocator))
    return echo
  }

  /// Writes `bytes` and returns once as many bytes more have come back.
  func roundTrip(_ bytes: ByteBuffer) async throws {
    let counter = self.counter
    try await self.channel.eventLoop.flatSubmit {
      counter.value.send(bytes)
    }.get()
  }

  func close() {
    self.channel.close(promise: nil)
  }
}

/// Counts bytes out and back; completes each send once the echo has caught up with it.
final class EchoCounter: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  private let eventLoop: any EventLoop
  private var context: ChannelHandlerContext?
  private var sent = 0
  private var received = 0
  private var waiting = CircularBuffer<(end: Int, promise: EventLoopPromise<Void>)>()

  init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

  func handlerAdded(context: ChannelHandlerContext) { self.context = context }

  func send(_ bytes: ByteBuffer) -> EventLoopFuture<Void> {
    guard let context = self.context else {
      return self.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
    }
    let promise = context.eventLoop.makePromise(of: Void.self)
    self.sent += bytes.readableBytes
    self.waiting.append((self.sent, promise))
    context.writeAndFlush(NIOAny(bytes), promise: nil)
    return promise.futureResult
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    self.received += self.unwrapInboundIn(data).readableBytes
    while let first = self.waiting.first, first.end <= self.received {
      self.waiting.removeFirst().promise.succeed()
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.failAll(ChannelError.eof)
    self.context = nil
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    self.failAll(error)
    context.close(promise: nil)
  }

  private func failAll(_ error: any Error) {
    while let waiter = self.waiting.popFirst() { waiter.promise.fail(error) }
  }
}
