import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore
import WireProtocol

/// Where the server is and which mutual-TLS credentials to present (the same flags as
/// vol-admin, without its environment variables).
struct ConnectionOptions: ParsableArguments {
  @Option(help: "Server host name or address.")
  var host = "127.0.0.1"

  @Option(help: "Server port.")
  var port = 7443

  @Option(help: ArgumentHelp("PEM client certificate chain, leaf first.", valueName: "path"))
  var cert = "certs/dev/admin.crt"

  @Option(help: ArgumentHelp("PEM private key of the client certificate.", valueName: "path"))
  var key = "certs/dev/admin.key"

  @Option(help: ArgumentHelp("PEM CA certificate(s) the server must chain to.", valueName: "path"))
  var ca = "certs/dev/ca.crt"

  @Option(help: ArgumentHelp("Deadline of each call in seconds.", valueName: "seconds"))
  var timeout: Double = 10

  func validate() throws {
    guard (1...65535).contains(self.port) else {
      throw ValidationError("--port must be between 1 and 65535, not \(self.port).")
    }
    guard self.timeout.isFinite, self.timeout > 0 else {
      throw ValidationError("--timeout must be a number of seconds above 0.")
    }
    for (option, path) in [("--cert", self.cert), ("--key", self.key), ("--ca", self.ca)] {
      guard FileManager.default.isReadableFile(atPath: path) else {
        throw ValidationError("\(option) \(path): no such readable file.")
      }
    }
  }

  var transportConfiguration: WireClientTransport.Configuration {
    var configuration = WireClientTransport.Configuration(
      host: self.host, port: self.port,
      tls: WireTLSFiles(
        certificateChainPath: self.cert, privateKeyPath: self.key, trustRootsPath: self.ca))
    configuration.connectTimeout = .seconds(10)
    return configuration
  }

  /// A stock gRPC client transport (HTTP/2 over TLS, grpc-swift-nio-transport) to the
  /// server's `--grpc-port`, presenting the same certificate: the other side of the
  /// side-by-side comparison.
  func grpcTransport(port: Int, eventLoopGroup: any EventLoopGroup) throws
    -> HTTP2ClientTransport.Posix
  {
    try HTTP2ClientTransport.Posix(
      target: .ipv4(address: self.host, port: port),
      transportSecurity: .mTLS(
        certificateChain: [.file(path: self.cert, format: .pem)],
        privateKey: .file(path: self.key, format: .pem)
      ) { tls in
        tls.trustRoots = .certificates([.file(path: self.ca, format: .pem)])
        tls.serverCertificateVerification = .fullVerification
      },
      eventLoopGroup: eventLoopGroup)
  }

  var callOptions: CallOptions {
    var options = CallOptions.defaults
    options.timeout = .milliseconds(Int64((self.timeout * 1000).rounded(.up)))
    return options
  }
}

/// Runs `body` with running clients, one `WireClientTransport` each, then shuts them down
/// gracefully whatever `body` did.
///
/// `body` must not throw out of the task group while the clients run: that would cancel
/// `runConnections()`, and WireClientTransport does not end promptly on cancellation (see
/// vol-admin's ConnectionOptions). Its outcome is captured and rethrown after shutdown.
func withClients<Transport: ClientTransport, Result: Sendable>(
  _ clients: [GRPCClient<Transport>],
  _ body: ([GRPCClient<Transport>]) async throws -> Result
) async throws -> Result {
  try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
    for client in clients {
      group.addTask { try await client.runConnections() }
    }
    let outcome: Swift.Result<Result, any Error>
    do {
      outcome = .success(try await body(clients))
    } catch {
      outcome = .failure(error)
    }
    for client in clients { client.beginGracefulShutdown() }
    try await group.waitForAll()
    return try outcome.get()
  }
}

/// Retries a cheap call until the server answers (it may still be starting), at most `attempts`
/// times 200 ms apart; rethrows the last failure.
func waitUntilServing<Transport: ClientTransport>(
  _ client: GRPCClient<Transport>, options: CallOptions, attempts: Int = 50
) async throws {
  let health = Volunteer_V1_Health.Client(wrapping: client)
  var lastError: (any Error)?
  for attempt in 0..<attempts {
    if attempt > 0 { try await Task.sleep(for: .milliseconds(200)) }
    do {
      _ = try await health.check(Volunteer_V1_HealthCheckRequest(), options: options)
      return
    } catch {
      lastError = error
    }
  }
  throw lastError ?? RPCError(code: .unavailable, message: "the server did not answer")
}

/// One line on standard error naming the server and the status.
func reportFailure(_ error: RPCError, host: String, port: Int) {
  let message = error.message.split(whereSeparator: \.isNewline).joined(separator: " ")
  FileHandle.standardError.write(
    Data("wire-load: \(host):\(port): \(error.code.upperSnakeCaseName): \(message)\n".utf8))
}
