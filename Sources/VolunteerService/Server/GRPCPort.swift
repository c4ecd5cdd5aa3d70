import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore
import NIOSSL
import WireProtocol

/// The stock-gRPC (HTTP/2) port: the same services as the wire protocol for partners who use
/// gRPC tooling, behind the same mutual TLS and the same interceptors.
///
/// Its limits follow the wire protocol's, so no partner gains anything by picking one port
/// over the other: the largest request message is `limits.maxFrameSize`, concurrent calls per
/// connection (HTTP/2 streams) are `limits.maxConcurrentCallsPerConnection`, and idle,
/// keepalive and grace timers are the same.
enum GRPCPort {
  /// The HTTP/2 server transport `configuration` asks for, or `nil` when `grpcPort` is unset.
  static func makeTransport(configuration: ServiceConfiguration) throws -> HTTP2ServerTransport.Posix? {
    guard let port = configuration.grpcPort else { return nil }
    let host = configuration.grpcHost ?? configuration.host
    let limits = configuration.limits

    var config = HTTP2ServerTransport.Posix.Config.defaults
    config.rpc.maxRequestPayloadSize = limits.maxFrameSize
    config.http2.maxConcurrentStreams = limits.maxConcurrentCallsPerConnection
    config.connection.maxIdleTime =
      limits.idleTimeoutSeconds > 0 ? .seconds(limits.idleTimeoutSeconds) : nil
    if limits.keepaliveIntervalSeconds > 0 {
      config.connection.keepalive.time = .seconds(limits.keepaliveIntervalSeconds)
      config.connection.keepalive.timeout = .seconds(limits.keepaliveTimeoutSeconds)
    }
    config.connection.maxGraceTime = .seconds(limits.gracePeriodSeconds)
    // The transport's TLS settings are fixed (NIOSSL's default TLS 1.2 cipher list, which
    // includes CBC suites Mozilla's intermediate profile rejects). Each accepted connection's
    // TLS handler, not yet past its first byte, is swapped for one made from the wire port's
    // configuration with gRPC's ALPN names, so both ports offer exactly the same TLS.
    var tlsConfiguration = try WireTLSFiles(
      certificateChainPath: configuration.certificatePath,
      privateKeyPath: configuration.privateKeyPath,
      trustRootsPath: configuration.clientCAPath
    ).makeServerConfiguration()
    tlsConfiguration.applicationProtocols = ["grpc-exp", "h2"]
    let sslContext = try NIOSSLContext(configuration: tlsConfiguration)
    let revocation = RevokedSerialCheck(serials: try configuration.revokedSerials())
    // The HTTP/2 transport has no handshake timer either: without one, TCP connections that
    // never finish TLS would pile up on this port.
    let handshakeTimeout = TimeAmount.nanoseconds(Int64(limits.handshakeTimeoutSeconds * 1e9))
    config.channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
      channel.eventLoop.makeCompletedFuture {
        let pipeline = channel.pipeline.syncOperations
        let stock = try pipeline.handler(type: NIOSSLServerHandler.self)
        let tls = try revocation.makeServerHandler(context: sslContext)
        try pipeline.addHandler(tls, position: .after(stock))
        pipeline.removeHandler(stock, promise: nil)
        try pipeline.addHandler(TLSHandshakeDeadlineHandler(timeout: handshakeTimeout), position: .after(tls))
      }
    }

    // The transport's own configuration, which it needs to start; every connection is served
    // by the context above. It asks for the same: a client certificate chained to the partner
    // CA (`noHostnameVerification` verifies the chain and fails the handshake without one).
    let security = HTTP2ServerTransport.Posix.TransportSecurity.mTLS(
      certificateChain: [.file(path: configuration.certificatePath, format: .pem)],
      privateKey: .file(path: configuration.privateKeyPath, format: .pem)
    ) { tls in
      tls.clientCertificateVerification = .noHostnameVerification
      tls.trustRoots = .certificates([.file(path: configuration.clientCAPath, format: .pem)])
    }
    let address: GRPCNIOTransportCore.SocketAddress =
      host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port)
    return HTTP2ServerTransport.Posix(address: address, transportSecurity: security, config: config)
  }
}
