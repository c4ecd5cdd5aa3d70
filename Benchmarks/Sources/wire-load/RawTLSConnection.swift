import NIOCore
import NIOPosix
import NIOSSL

/// A mutual-TLS TCP connection with `handler` after NIOSSL and nothing else: what the clients
/// that bypass `WireClientTransport` (the echo load, the idle-connection holder) start from.
enum RawTLSConnection {
  /// Connects and returns the channel and its `Handler`, once TCP is up (TLS completes as the
  /// first bytes are written).
  static func connect<Handler: ChannelInboundHandler>(
    host: String, port: Int, context: NIOSSLContext, group: any EventLoopGroup,
    timeout: TimeAmount, makeHandler: @escaping @Sendable (any EventLoop) -> Handler
  ) async throws -> (channel: any Channel, handler: NIOLoopBound<Handler>) {
    let channel = try await ClientBootstrap(group: group)
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .connectTimeout(timeout)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            NIOSSLClientHandler(context: context, serverHostname: nil))
          try channel.pipeline.syncOperations.addHandler(makeHandler(channel.eventLoop))
        }
      }
      .connect(host: host, port: port).get()
    let handler = try await channel.eventLoop.submit {
      NIOLoopBound(
        try channel.pipeline.syncOperations.handler(type: Handler.self), eventLoop: channel.eventLoop)
    }.get()
    return (channel, handler)
  }
}
