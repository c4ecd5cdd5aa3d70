import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import NIOCore
import ServiceLifecycle
import WireProtocol

/// The assembled service: store, personal-data protection, the RPC services behind the
/// authentication interceptor, on the wire-protocol transport and, when configured, on stock
/// gRPC over HTTP/2 as well. Runs as a `Service` in a
/// `ServiceGroup`, which shuts it down gracefully on SIGTERM and SIGINT.
public struct VolunteerServer: Service {
  /// The version reported by Health.Check and the settings frame.
  public static let version = "volunteer-records 0.1.0"

  private let configuration: ServiceConfiguration
  private let store: any RecordStore
  private let server: GRPCServer<WireServerTransport>
  private let grpcServer: GRPCServer<HTTP2ServerTransport.Posix>?
  private let logger: Logger
  private let checkpointer: AuditCheckpointer
  private let metricsServer: MetricsHTTPServer?
  /// The service's metrics, also served on the operations endpoint when configured.
  public let metrics: ServiceMetrics
  /// The wire transport, for its listening address.
  public let transport: WireServerTransport
  /// The stock-gRPC transport when `grpcPort` is configured, for its listening address.
  public let grpcTransport: HTTP2ServerTransport.Posix?

  /// Opens the store in `configuration.dataDirectory` (creating it), bootstraps the root
  /// organisation and admin, and assembles the server. Nothing listens until ``run()``.
  public init(configuration: ServiceConfiguration, logger: Logger) async throws {
    try configuration.validate()
    let manager = FileManager.default
    try manager.createDirectory(
      atPath: configuration.dataDirectory, withIntermediateDirectories: true,
      attributes: [.posixPermissions: 0o700])
    let metrics = ServiceMetrics()
    let store: any RecordStore
    if let url = configuration.store {
      let location = try PostgresStoreLocation(url: url)
      logger.info("record store: PostgreSQL", metadata: ["store": "\(PostgresStoreLocation.redacted(url))"])
      store = try await PostgresRecordStore(location: location, logger: logger)
    } else {
      store = try SQLiteRecordStore(
        path: configuration.dataDirectory + "/volunteer.sqlite", metricsFactory: metrics.factory)
    }
    let protector = try PersonalDataProtector.loadOrCreate(
      keyFile: configuration.dataDirectory + "/personal-data.key")
    if protector.keyIDs.count > 1 {
      logger.warning(
        "personal-data key rotation unfinished: keys \(protector.keyIDs) in the key file; stop the service and run `volunteer-service rotate-personal-data-key` to finish it")
    }
    try await store.bootstrap(
      root: .root(
        id: configuration.rootOrganisationID, name: configuration.rootOrganisationName,
        regionCode: configuration.rootRegionCode),
      admin: Principal(
        id: configuration.bootstrapAdmin, role: .admin,
        scopeOrganisationID: configuration.rootOrganisationID, displayName: "bootstrap admin",
        createdAt: Date(), createdBy: "bootstrap"))

    var wire = WireServerTransport.Configuration(
      host: configuration.host, port: configuration.port,
      tls: WireTLSFiles(
        certificateChainPath: configuration.certificatePath,
        privateKeyPath: configuration.privateKeyPath,
        trustRootsPath: configuration.clientCAPath))
    let limits = configuration.limits
    wire.maxFrameSize = limits.maxFrameSize
    wire.maxMetadataSize = limits.maxMetadataSize
    wire.maxConcurrentCallsPerConnection = limits.maxConcurrentCallsPerConnection
    wire.keepaliveInterval = limits.keepaliveIntervalSeconds > 0 ? .seconds(limits.keepaliveIntervalSeconds) : nil
    wire.keepaliveTimeout = .seconds(limits.keepaliveTimeoutSeconds)
    wire.idleTimeout = limits.idleTimeoutSeconds > 0 ? .seconds(limits.idleTimeoutSeconds) : nil
    wire.handshakeTimeout = .seconds(limits.handshakeTimeoutSeconds)
    wire.gracePeriod = .seconds(limits.gracePeriodSeconds)
    wire.serverVersion = Self.version
    wire.maxConnections = limits.maxConnections
    wire.maxConnectionsPerPrincipal = limits.maxConnectionsPerPrincipal
    let revokedSerials = try configuration.revokedSerials()
    wire.revokedSerials = revokedSerials
    let transport = WireServerTransport(configuration: wire, logger: logger)

    let policies = try await PolicyRegistry.load(
      directory: configuration.policyDirectory, defaultPolicyID: configuration.defaultPolicy,
      store: store, at: Date())
    let keys = try SigningKeys(directory: configuration.dataDirectory + "/keys")
    let checkpointer = AuditCheckpointer(store: store, keys: keys)
    let services = try Self.makeServices(
      configuration: configuration, store: store, protector: protector, policies: policies,
      keys: keys, checkpointer: checkpointer, logger: logger)
    OperationsService.removeLeftoverSnapshots(in: configuration.dataDirectory)
    self.checkpointer = checkpointer
    self.metrics = metrics
    self.metricsServer = configuration.metricsPort.map { port in
      MetricsHTTPServer(
        host: configuration.metricsHost, port: port, metrics: metrics,
        beforeScrape: { metrics.recordConnections(wire: transport.openConnections) },
        health: {
          do {
            try await store.checkHealth()
            return nil
          } catch {
            return "the store failed its health check: \(error)"
          }
        },
        logger: logger)
    }
    self.configuration = configuration
    self.store = store
    self.transport = transport
    self.logger = logger
    // Metrics first: refusals by the interceptors after it are counted and logged too.
    var interceptors: [any ServerInterceptor] = [
      MetricsInterceptor(metrics: metrics, logger: logger),
      AuthenticationInterceptor(store: store, revokedSerials: revokedSerials)
    ]
    if limits.callsPerSecondPerPrincipal > 0 {
      interceptors.append(
        RateLimitInterceptor(
          limiter: RateLimiter(
            ratePerSecond: limits.callsPerSecondPerPrincipal, burst: limits.callBurstPerPrincipal)))
    }
    interceptors.append(AuditInterceptor())
    self.server = GRPCServer(transport: transport, services: services, interceptors: interceptors)
    let grpcTransport = try GRPCPort.makeTransport(configuration: configuration)
    self.grpcTransport = grpcTransport
    self.grpcServer = grpcTransport.map {
      GRPCServer(transport: $0, services: services, interceptors: interceptors)
    }
  }

  /// Every RPC service of the API over one store, as the server registers them on each of
  /// its transports. (The fuzz-requests target serves the same list.)
  static func makeServices(
    configuration: ServiceConfiguration, store: any RecordStore, protector: PersonalDataProtector,
    policies: PolicyRegistry, keys: SigningKeys, checkpointer: AuditCheckpointer, logger: Logger
  ) throws -> [any RegistrableRPCService] {
    let timeZone = TimeZone(identifier: configuration.timeZone) ?? .current
    let ledgerPolicy = try LedgerPolicy(timeZoneIdentifier: configuration.timeZone)
    let root = configuration.rootOrganisationID
    return [
      HealthService(store: store, serverVersion: Self.version),
      VolunteersService(store: store, protector: protector, timeZone: timeZone),
      PrincipalsService(store: store),
      OrganisationsService(store: store),
      ActivitiesService(store: store, policy: ledgerPolicy),
      HoursService(store: store, policy: ledgerPolicy),
      StatisticsService(store: store, policies: policies),
      EvaluationsService(store: store, policies: policies, timeZone: timeZone, rootOrganisationID: root),
      CredentialsService(
        store: store, policies: policies, keys: keys, protector: protector, timeZone: timeZone,
        rootOrganisationID: root),
      RecognitionService(store: store, policy: ledgerPolicy),
      AuditService(store: store, checkpointer: checkpointer, rootOrganisationID: root),
      OperationsService(
        store: store, rootOrganisationID: root, scratchDirectory: configuration.dataDirectory,
        logger: logger),
    ]
  }

  /// Serves until a graceful shutdown is requested, then lets calls in flight finish.
  ///
  /// When both ports are configured, a failure of either (a port already taken, say) stops
  /// both: a half-started service would mislead load balancers.
  public func run() async throws {
    try await withGracefulShutdownHandler {
      try await withThrowingTaskGroup(of: Void.self) { background in
        // Checkpoints run while the ports serve and stop with them (also when the server is
        // embedded without a service group, as in tests).
        if self.configuration.auditCheckpointIntervalSeconds > 0 {
          let interval = Duration.seconds(self.configuration.auditCheckpointIntervalSeconds)
          background.addTask { await self.checkpointer.run(every: interval, logger: self.logger) }
        }
        try await withThrowingDiscardingTaskGroup { group in
          group.addTask { try await self.server.serve() }
          if let metricsServer = self.metricsServer {
            group.addTask { try await metricsServer.run() }
          }
          if let grpcServer = self.grpcServer, let grpcTransport = self.grpcTransport {
            group.addTask { try await grpcServer.serve() }
            group.addTask {
              let address = try await grpcTransport.listeningAddress
              self.logger.info("listening for gRPC (HTTP/2)", metadata: ["address": "\(address)"])
            }
          }
        }
        background.cancelAll()
        // The last head is signed on the way out, so a restart never leaves entries that no
        // checkpoint covers.
        do {
          _ = try await self.checkpointer.checkpoint()
        } catch {
          self.logger.error("audit checkpoint at shutdown failed", metadata: ["error": "\(error)"])
        }
      }
    } onGracefulShutdown: {
      self.logger.info("graceful shutdown requested")
      self.beginGracefulShutdown()
    }
  }

  /// The operations endpoint's bound address, once listening (`nil` when not configured).
  public var metricsAddress: NIOCore.SocketAddress? { self.metricsServer?.listeningAddress }

  /// Stops accepting calls and lets those in flight finish (for embedding and tests).
  public func beginGracefulShutdown() {
    self.server.beginGracefulShutdown()
    self.grpcServer?.beginGracefulShutdown()
    // Load balancers see the endpoint go at once and route new connections elsewhere while
    // calls in flight drain.
    self.metricsServer?.close()
  }
}
