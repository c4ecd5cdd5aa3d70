import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The operators' plain-HTTP endpoint, apart from the partner API: `GET /metrics` (Prometheus
/// text format) and `GET /health` (200 `serving` or 503, for load balancers).
///
/// Plain HTTP on purpose (scrapers and load-balancer probes rarely speak mutual TLS), so it
/// binds to loopback unless told otherwise, and it answers nothing but those two paths:
/// no request body is read beyond its size limit, and no partner data is reachable.
final class MetricsHTTPServer: Sendable {
  /// A health verdict: `nil` when serving, else the reason for 503.
  typealias HealthCheck = @Sendable () async -> String?

  private let host: String
  private let port: Int
  private let metrics: ServiceMetrics
  private let beforeScrape: @Sendable () -> Void
  private let health: HealthCheck
  private let logger: Logger
  private let listener = Mutex<(any Channel)?>(nil)
  private let address = Mutex<SocketAddress?>(nil)
  /// Open connections by identity, closed with the listener so keep-alive scrapers cannot
  /// hold a shutdown open.
  private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])

  /// Requests larger than this (headers and body) are refused; a probe sends a few hundred.
  static let maxRequestBytes = 16 * 1024
  /// Connections held at once; more are closed at accept. Scrapers and probes need a few.
  static let maxConnections = 64
  /// A connection that sends nothing for this long is closed.
  static let idleTimeout = TimeAmount.seconds(30)

  init(
    host: String, port: Int, metrics: ServiceMetrics, beforeScrape: @escaping @Sendable () -> Void,
    health: @escaping HealthCheck, logger: Logger
  ) {
    self.host = host
    self.port = port
    self.metrics = metrics
    self.beforeScrape = beforeScrape
    self.health = health
    self.logger = logger
  }

  /// The bound address, once ``run()`` has bound it.
  var listeningAddress: SocketAddress? { self.address.withLock { $0 } }

  /// Serves until ``close()``; one failing connection never stops the others.
  func run() async throws {
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .bind(host: self.host, port: self.port) { channel in
        channel.eventLoop.makeCompletedFuture {
          let admitted = self.connections.withLock { open in
            guard open.count < Self.maxConnections else { return false }
            open[ObjectIdentifier(channel)] = channel
            return true
          }
          if admitted {
            channel.closeFuture.whenComplete { _ in
              _ = self.connections.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
            }
          } else {
            channel.close(promise: nil)
          }
          let pipeline = channel.pipeline.syncOperations
          try pipeline.addHandler(IdleStateHandler(readTimeout: Self.idleTimeout))
          try pipeline.addHandler(CloseOnIdleHandler())
          try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
          return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
            wrappingChannelSynchronously: channel)
        }
      }
    self.listener.withLock { $0 = server.channel }
    self.address.withLock { $0 = server.channel.localAddress }
    self.logger.info(
      "metrics and health over HTTP", metadata: ["address": "\(server.channel.localAddress.map { "\($0)" } ?? "?")"])
    try await withThrowingDiscardingTaskGroup { group in
      try await server.executeThenClose { connections in
        for try await connection in connections {
          group.addTask { await self.serve(connection) }
        }
      }
    }
  }

  /// Stops listening and closes every open connection.
  func close() {
    self.listener.withLock { $0?.close(promise: nil) }
    for channel in self.connections.withLock({ Array($0.values) }) { channel.close(promise: nil) }
  }

  private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
    do {
      try await connection.executeThenClose { inbound, outbound in
        var head: HTTPRequestHead?
        var size = 0
        for try await part in inbound {
          switch part {
          case .head(let requestHead):
            head = requestHead
            size = requestHead.headers.reduce(requestHead.uri.utf8.count) { $0 + $1.name.utf8.count + $1.value.utf8.count }
          case .body(let bytes):
            size += bytes.readableBytes
          case .end:
            guard let request = head else { return }
            head = nil
            let (status, contentType, body) =
              size > Self.maxRequestBytes
              ? (HTTPResponseStatus.payloadTooLarge, "text/plain", Array("request too large\n".utf8))
              : await self.respond(to: request)
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: contentType)
            headers.add(name: "content-length", value: "\(body.count)")
            headers.add(name: "cache-control", value: "no-store")
            if !request.isKeepAlive { headers.add(name: "connection", value: "close") }
            try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
            if request.method != .HEAD { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            try await outbound.write(.end(nil))
            if !request.isKeepAlive || size > Self.maxRequestBytes { return }
          }
        }
      }
    } catch {
      self.logger.debug("metrics connection failed", metadata: ["error": "\(error)"])
    }
  }

  private func respond(to request: HTTPRequestHead) async -> (HTTPResponseStatus, String, [UInt8]) {
    let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
    guard request.method == .GET || request.method == .HEAD else {
      return (.methodNotAllowed, "text/plain", Array("only GET and HEAD\n".utf8))
    }
    switch path {
    case "/metrics":
      self.beforeScrape()
      return (.ok, "text/plain; version=0.0.4; charset=utf-8", self.metrics.exposition())
    case "/health":
      if let problem = await self.health() {
        return (.serviceUnavailable, "text/plain", Array("not serving: \(problem)\n".utf8))
      }
      return (.ok, "text/plain", Array("serving\n".utf8))
    default:
      return (.notFound, "text/plain", Array("not found: try /metrics or /health\n".utf8))
    }
  }
}

/// Closes a connection when ``IdleStateHandler`` reports it idle.
private final class CloseOnIdleHandler: ChannelInboundHandler, Sendable {
  typealias InboundIn = NIOAny

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is IdleStateHandler.IdleStateEvent {
      context.close(promise: nil)
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }
}
