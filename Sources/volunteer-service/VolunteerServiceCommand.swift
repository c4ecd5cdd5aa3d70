import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import VolunteerService

@main
struct VolunteerServiceCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "volunteer-service",
    abstract: "The Volunteer Records Service: volunteer registrations over a mutual-TLS binary API.",
    discussion: """
      Settings come from a JSON file (--config), then VOLUNTEER_* environment variables, then \
      the flags below. Every key of the file is optional; see docs/OPERATIONS.md.

      Example, with a development PKI made by certs/dev-pki.sh:
        volunteer-service serve --data-dir ./data --port 7443
      """,
    subcommands: [Serve.self, RotatePersonalDataKey.self, MigrateStore.self],
    defaultSubcommand: Serve.self
  )
}

struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the service until SIGTERM or SIGINT, then shut down gracefully.",
    discussion: """
      On first start the data directory is created with the SQLite database and the \
      personal-data key file (mode 0600), and the root organisation and the bootstrap admin \
      (the principal id of the admin client certificate) are recorded.

      Example:
        volunteer-service serve --data-dir ./data --host 127.0.0.1 --port 7443
      """
  )

  @Option(help: "JSON configuration file; flags and VOLUNTEER_* variables override it.")
  var config: String?

  @Option(help: "Address to listen on (default 127.0.0.1).")
  var host: String?

  @Option(help: "Port to listen on (default 7443; 0 picks a free port).")
  var port: Int?

  @Option(help: "Also serve the same API as stock gRPC (HTTP/2, same mutual TLS) on this port (default: off; 0 picks a free port).")
  var grpcPort: Int?

  @Option(help: "Address for the gRPC port (default: --host). A numeric IPv4 or IPv6 address.")
  var grpcHost: String?

  @Option(help: "Directory for the database and the personal-data key (default ./data).")
  var dataDir: String?

  @Option(help: "Record store: postgres://user:password@host:5432/db[?sslmode=require|verify-full&sslrootcert=ca.pem] for PostgreSQL shared by several instances (default: SQLite in --data-dir).")
  var store: String?

  @Option(help: "Server certificate chain, PEM (default certs/dev/server.crt).")
  var cert: String?

  @Option(help: "Server private key, PEM (default certs/dev/server.key).")
  var key: String?

  @Option(help: "CA that partner client certificates must chain to (default certs/dev/ca.crt).")
  var clientCA: String?

  @Option(help: "Principal id of the admin created on first start.")
  var bootstrapAdmin: String?

  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (debug logs every call).")
  var logLevel: String?

  @Option(help: "Log format: text, or json (one object per line with each call's request-id).")
  var logFormat: String?

  @Option(help: "Serve GET /metrics (Prometheus) and GET /health over plain HTTP on this port (default: off; 0 picks a free port).")
  var metricsPort: Int?

  @Option(help: "Address for the metrics port (default 127.0.0.1).")
  var metricsHost: String?

  @Option(help: "Directory of evaluation policy documents loaded at start (default ./Policies).")
  var policyDir: String?

  @Option(help: "Policy used when a request names none (default national).")
  var defaultPolicy: String?

  func run() async throws {
    var settings = try self.config.map(ServiceConfiguration.load(file:)) ?? ServiceConfiguration()
    try settings.applyEnvironment(ProcessInfo.processInfo.environment)
    if let host { settings.host = host }
    if let port { settings.port = port }
    if let grpcPort { settings.grpcPort = grpcPort }
    if let grpcHost { settings.grpcHost = grpcHost }
    if let dataDir { settings.dataDirectory = dataDir }
    if let store { settings.store = store }
    if let cert { settings.certificatePath = cert }
    if let key { settings.privateKeyPath = key }
    if let clientCA { settings.clientCAPath = clientCA }
    if let bootstrapAdmin { settings.bootstrapAdmin = bootstrapAdmin }
    if let logLevel { settings.logLevel = logLevel }
    if let logFormat { settings.logFormat = logFormat }
    if let metricsPort { settings.metricsPort = metricsPort }
    if let metricsHost { settings.metricsHost = metricsHost }
    if let policyDir { settings.policyDirectory = policyDir }
    if let defaultPolicy { settings.defaultPolicy = defaultPolicy }
    guard let level = Logger.Level(rawValue: settings.logLevel) else {
      throw ValidationError("unknown log level \"\(settings.logLevel)\"")
    }

    let json = settings.logFormat == "json"
    LoggingSystem.bootstrap { label in
      if json {
        var handler = JSONLogHandler(label: label)
        handler.logLevel = level
        return handler
      }
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    let logger = Logger(label: "volunteer.service")
    // One process per data directory: a second service, or a key rotation, is refused.
    let lock = try DataDirectoryLock(directory: settings.dataDirectory)
    let server: VolunteerServer
    do {
      server = try await VolunteerServer(configuration: settings, logger: logger)
    } catch {
      throw ValidationError("cannot start: \(error)")
    }
    let group = ServiceGroup(
      configuration: .init(
        services: [.init(service: server)],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    try await group.run()
    withExtendedLifetime(lock) {}
  }
}
