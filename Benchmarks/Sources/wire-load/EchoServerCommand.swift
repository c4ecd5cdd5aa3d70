import ArgumentParser
import NIOCore
import NIOPosix
import NIOSSL
import WireProtocol

/// A bare NIO server that sends back every byte it receives, behind the same mutual TLS as the
/// service: the ceiling of this machine for the wire protocol's frames.
struct EchoServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "echo-server",
    abstract: "Echo every byte back over mutual TLS (the limit `run --transport echo` measures).",
    discussion: """
      Uses the service's own server TLS configuration (WireTLSFiles: TLS 1.2/1.3, the same \
      cipher suites, ALPN vrs/1, client certificates required) on NIO's event loops, one per \
      core, with a handler that writes each read back and flushes once per read burst. No \
      framing, no GRPCCore, no interceptors, no store. Runs until killed; prints \
      "listening on HOST:PORT" when ready.
      """
  )

  @Option(help: "Address to listen on.")
  var host = "127.0.0.1"

  @Option(help: "Port (0 picks a free one).")
  var port = 0

  @Option(help: ArgumentHelp("PEM server certificate chain.", valueName: "path"))
  var cert: String

  @Option(help: ArgumentHelp("PEM server private key.", valueName: "path"))
  var key: String

  @Option(help: ArgumentHelp("PEM CA certificate(s) client certificates must chain to.", valueName: "path"))
  var clientCa: String

  func run() async throws {
    let tls = try WireTLSFiles(
      certificateChainPath: self.cert, privateKeyPath: self.key, trustRootsPath: self.clientCa
    ).makeServerConfiguration()
    let context = try NIOSSLContext(configuration: tls)
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 1024)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
          try channel.pipeline.syncOperations.addHandler(EchoHandler())
        }
      }
      .bind(host: self.host, port: self.port).get()
    print("listening on \(self.host):\(channel.localAddress?.port ?? self.port)")
    try await channel.closeFuture.get()
  }
}

/// Writes every read back, flushing once per read burst.
final class EchoHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    context.write(data, promise: nil)
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    context.flush()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    context.close(promise: nil)
  }
}
