import Foundation

/// Everything the service needs to start, read from a JSON file, then overridden by
/// environment variables (`VOLUNTEER_*`), then by command-line flags.
///
/// Paths are relative to the working directory. Every limit has a safe default.
public struct ServiceConfiguration: Codable, Sendable, Equatable {
  /// Address to listen on for the wire protocol.
  public var host = "127.0.0.1"
  public var port = 7443
  /// Port for the same services over stock gRPC (HTTP/2, the same mutual TLS, principals and
  /// interceptors), for partners who use gRPC tooling; `nil` (the default) serves none.
  public var grpcPort: Int?
  /// Address for the gRPC port; `nil` uses ``host``.
  public var grpcHost: String?
  /// Port of the plain-HTTP operations endpoint (`/metrics` for Prometheus, `/health` for
  /// load balancers); `nil` (the default) serves none, 0 picks a free port.
  public var metricsPort: Int?
  /// Address of the operations endpoint: loopback unless a scraper elsewhere needs it.
  public var metricsHost = "127.0.0.1"
  /// `text` (one line per record) or `json` (one JSON object per line, for log shippers).
  public var logFormat = "text"
  /// Directory holding the SQLite database and the personal-data key file.
  public var dataDirectory = "data"
  /// Where records live: `nil` (the default) is the embedded SQLite database in
  /// ``dataDirectory``; `postgres://user:password@host:port/database?sslmode=require` is a
  /// PostgreSQL database shared by several instances (the key files still come from
  /// ``dataDirectory``, and every instance needs the same ones).
  public var store: String?
  /// Server certificate chain (PEM).
  public var certificatePath = "certs/dev/server.crt"
  /// Server private key (PEM).
  public var privateKeyPath = "certs/dev/server.key"
  /// The partner CA: client certificates must chain to it.
  public var clientCAPath = "certs/dev/ca.crt"
  /// A file of revoked client-certificate serials (hex, one per line, `#` comments; colons
  /// and case ignored), read at start: such certificates are refused on the wire port
  /// before any call. `nil` revokes none.
  public var revokedSerialsPath: String?
  /// Principal id of the admin created on first start (the admin client certificate's URI SAN).
  public var bootstrapAdmin = "spiffe://volunteer/admin/bootstrap"
  /// Root of the organisation tree, created on first start.
  public var rootOrganisationID = "national"
  public var rootOrganisationName = "National Committee"
  public var rootRegionCode = "100000"
  /// Time zone in which ages and dates of records are computed.
  public var timeZone = "Asia/Shanghai"
  /// trace, debug, info, notice, warning, error, critical.
  public var logLevel = "info"
  /// Directory of evaluation policy documents (`*.json`) loaded at start; a document whose
  /// version is new is stored, the versions stored before are kept.
  public var policyDirectory = "Policies"
  /// The policy evaluations and statistics use when a request names none.
  public var defaultPolicy = "national"
  /// How often the service signs a checkpoint of the audit chain's head (when it moved);
  /// 0 signs only on demand (Audit.CreateCheckpoint).
  public var auditCheckpointIntervalSeconds = 300.0
  public var limits = Limits()

  /// Connection limits and timers of the wire protocol.
  public struct Limits: Codable, Sendable, Equatable {
    public var maxFrameSize = 4 * 1024 * 1024
    public var maxMetadataSize = 8 * 1024
    public var maxConcurrentCallsPerConnection = 256
    public var keepaliveIntervalSeconds = 60.0
    public var keepaliveTimeoutSeconds = 20.0
    public var idleTimeoutSeconds = 300.0
    public var handshakeTimeoutSeconds = 10.0
    public var gracePeriodSeconds = 30.0
    /// TCP connections held at once on the wire port; more are closed before any TLS work.
    public var maxConnections = 20_000
    /// Connections one principal may hold at once on the wire port.
    public var maxConnectionsPerPrincipal = 100
    /// Sustained calls per second per principal, on both ports; 0 turns the limit off.
    public var callsPerSecondPerPrincipal = 1_000.0
    /// Calls a principal may make at once after being idle.
    public var callBurstPerPrincipal = 2_000.0

    public init() {}

    public init(from decoder: any Decoder) throws {
      // Every limit is optional in the file: missing ones keep their safe defaults.
      let defaults = Limits()
      let c = try decoder.container(keyedBy: CodingKeys.self)
      func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
        try c.decodeIfPresent(T.self, forKey: key) ?? fallback
      }
      self.maxFrameSize = try value(.maxFrameSize, defaults.maxFrameSize)
      self.maxMetadataSize = try value(.maxMetadataSize, defaults.maxMetadataSize)
      self.maxConcurrentCallsPerConnection = try value(
        .maxConcurrentCallsPerConnection, defaults.maxConcurrentCallsPerConnection)
      self.keepaliveIntervalSeconds = try value(.keepaliveIntervalSeconds, defaults.keepaliveIntervalSeconds)
      self.keepaliveTimeoutSeconds = try value(.keepaliveTimeoutSeconds, defaults.keepaliveTimeoutSeconds)
      self.idleTimeoutSeconds = try value(.idleTimeoutSeconds, defaults.idleTimeoutSeconds)
      self.handshakeTimeoutSeconds = try value(.handshakeTimeoutSeconds, defaults.handshakeTimeoutSeconds)
      self.gracePeriodSeconds = try value(.gracePeriodSeconds, defaults.gracePeriodSeconds)
      self.maxConnections = try value(.maxConnections, defaults.maxConnections)
      self.maxConnectionsPerPrincipal = try value(.maxConnectionsPerPrincipal, defaults.maxConnectionsPerPrincipal)
      self.callsPerSecondPerPrincipal = try value(.callsPerSecondPerPrincipal, defaults.callsPerSecondPerPrincipal)
      self.callBurstPerPrincipal = try value(.callBurstPerPrincipal, defaults.callBurstPerPrincipal)
    }
  }

  /// The defaults.
  public init() {}

  public init(from decoder: any Decoder) throws {
    // Every key is optional in the file: missing keys keep their defaults.
    let defaults = ServiceConfiguration()
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.host = try c.decodeIfPresent(String.self, forKey: .host) ?? defaults.host
    self.port = try c.decodeIfPresent(Int.self, forKey: .port) ?? defaults.port
    self.grpcPort = try c.decodeIfPresent(Int.self, forKey: .grpcPort)
    self.grpcHost = try c.decodeIfPresent(String.self, forKey: .grpcHost)
    self.metricsPort = try c.decodeIfPresent(Int.self, forKey: .metricsPort)
    self.metricsHost = try c.decodeIfPresent(String.self, forKey: .metricsHost) ?? defaults.metricsHost
    self.logFormat = try c.decodeIfPresent(String.self, forKey: .logFormat) ?? defaults.logFormat
    self.dataDirectory = try c.decodeIfPresent(String.self, forKey: .dataDirectory) ?? defaults.dataDirectory
    self.store = try c.decodeIfPresent(String.self, forKey: .store)
    self.certificatePath = try c.decodeIfPresent(String.self, forKey: .certificatePath) ?? defaults.certificatePath
    self.privateKeyPath = try c.decodeIfPresent(String.self, forKey: .privateKeyPath) ?? defaults.privateKeyPath
    self.clientCAPath = try c.decodeIfPresent(String.self, forKey: .clientCAPath) ?? defaults.clientCAPath
    self.revokedSerialsPath = try c.decodeIfPresent(String.self, forKey: .revokedSerialsPath)
    self.bootstrapAdmin = try c.decodeIfPresent(String.self, forKey: .bootstrapAdmin) ?? defaults.bootstrapAdmin
    self.rootOrganisationID = try c.decodeIfPresent(String.self, forKey: .rootOrganisationID) ?? defaults.rootOrganisationID
    self.rootOrganisationName = try c.decodeIfPresent(String.self, forKey: .rootOrganisationName) ?? defaults.rootOrganisationName
    self.rootRegionCode = try c.decodeIfPresent(String.self, forKey: .rootRegionCode) ?? defaults.rootRegionCode
    self.timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone) ?? defaults.timeZone
    self.logLevel = try c.decodeIfPresent(String.self, forKey: .logLevel) ?? defaults.logLevel
    self.policyDirectory = try c.decodeIfPresent(String.self, forKey: .policyDirectory) ?? defaults.policyDirectory
    self.defaultPolicy = try c.decodeIfPresent(String.self, forKey: .defaultPolicy) ?? defaults.defaultPolicy
    self.auditCheckpointIntervalSeconds =
      try c.decodeIfPresent(Double.self, forKey: .auditCheckpointIntervalSeconds)
      ?? defaults.auditCheckpointIntervalSeconds
    self.limits = try c.decodeIfPresent(Limits.self, forKey: .limits) ?? defaults.limits
  }

  /// Reads a JSON configuration file.
  public static func load(file path: String) throws -> ServiceConfiguration {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigurationError(message: "configuration file \(path) cannot be read")
    }
    do {
      return try JSONDecoder().decode(ServiceConfiguration.self, from: data)
    } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
      let path = context.codingPath.map(\.stringValue).joined(separator: ".")
      throw ConfigurationError(message: "\(path): \(context.debugDescription)")
    }
  }

  /// Applies `VOLUNTEER_HOST`, `VOLUNTEER_PORT`, `VOLUNTEER_GRPC_HOST`, `VOLUNTEER_GRPC_PORT`,
  /// `VOLUNTEER_METRICS_HOST`, `VOLUNTEER_METRICS_PORT`, `VOLUNTEER_LOG_FORMAT`,
  /// `VOLUNTEER_DATA_DIR`, `VOLUNTEER_STORE`, `VOLUNTEER_CERT`,
  /// `VOLUNTEER_KEY`, `VOLUNTEER_CLIENT_CA`, `VOLUNTEER_BOOTSTRAP_ADMIN`,
  /// `VOLUNTEER_LOG_LEVEL`, `VOLUNTEER_POLICY_DIR` and `VOLUNTEER_DEFAULT_POLICY` from
  /// `environment`.
  public mutating func applyEnvironment(_ environment: [String: String]) throws {
    if let value = environment["VOLUNTEER_HOST"] { self.host = value }
    if let port = try Self.number(environment, "VOLUNTEER_PORT") { self.port = port }
    if let value = environment["VOLUNTEER_GRPC_HOST"] { self.grpcHost = value }
    if let port = try Self.number(environment, "VOLUNTEER_GRPC_PORT") { self.grpcPort = port }
    if let value = environment["VOLUNTEER_METRICS_HOST"] { self.metricsHost = value }
    if let port = try Self.number(environment, "VOLUNTEER_METRICS_PORT") { self.metricsPort = port }
    if let value = environment["VOLUNTEER_LOG_FORMAT"] { self.logFormat = value }
    if let value = environment["VOLUNTEER_DATA_DIR"] { self.dataDirectory = value }
    if let value = environment["VOLUNTEER_STORE"] { self.store = value }
    if let value = environment["VOLUNTEER_CERT"] { self.certificatePath = value }
    if let value = environment["VOLUNTEER_KEY"] { self.privateKeyPath = value }
    if let value = environment["VOLUNTEER_CLIENT_CA"] { self.clientCAPath = value }
    if let value = environment["VOLUNTEER_BOOTSTRAP_ADMIN"] { self.bootstrapAdmin = value }
    if let value = environment["VOLUNTEER_LOG_LEVEL"] { self.logLevel = value }
    if let value = environment["VOLUNTEER_POLICY_DIR"] { self.policyDirectory = value }
    if let value = environment["VOLUNTEER_DEFAULT_POLICY"] { self.defaultPolicy = value }
  }

  /// The integer in `environment[key]`, `nil` when unset.
  private static func number(_ environment: [String: String], _ key: String) throws -> Int? {
    guard let value = environment[key] else { return nil }
    guard let number = Int(value) else {
      throw ConfigurationError(message: "\(key) must be a number, got \"\(value)\"")
    }
    return number
  }

  /// The serials listed in ``revokedSerialsPath``, normalised to lower-case hex.
  public func revokedSerials() throws -> Set<String> {
    guard let path = self.revokedSerialsPath else { return [] }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigurationError(message: "revokedSerialsPath: \(path) cannot be read")
    }
    var serials: Set<String> = []
    for (index, rawLine) in String(decoding: data, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false
    ).enumerated() {
      let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
      let serial = line.filter { $0 != ":" && !$0.isWhitespace }.lowercased()
      if serial.isEmpty { continue }
      guard serial.allSatisfy(\.isHexDigit) else {
        throw ConfigurationError(message: "revokedSerialsPath: \(path) line \(index + 1): \"\(rawLine)\" is not a hex serial")
      }
      serials.insert(serial)
    }
    return serials
  }

  /// Checks values that would otherwise fail late or obscurely.
  public func validate() throws {
    if let store = self.store {
      _ = try PostgresStoreLocation(url: store)
    }
    guard (0...65535).contains(self.port) else {
      throw ConfigurationError(message: "port must be 0-65535, got \(self.port)")
    }
    if let grpcPort = self.grpcPort {
      guard (0...65535).contains(grpcPort) else {
        throw ConfigurationError(message: "grpcPort must be 0-65535, got \(grpcPort)")
      }
      guard grpcPort == 0 || grpcPort != self.port || (self.grpcHost ?? self.host) != self.host else {
        throw ConfigurationError(
          message: "grpcPort \(grpcPort) is the wire-protocol port; each protocol needs a port of its own")
      }
    }
    if let metricsPort = self.metricsPort {
      guard (0...65535).contains(metricsPort) else {
        throw ConfigurationError(message: "metricsPort must be 0-65535, got \(metricsPort)")
      }
      let taken = [self.port, self.grpcPort].compactMap { $0 }.filter { $0 != 0 }
      guard metricsPort == 0 || !taken.contains(metricsPort) else {
        throw ConfigurationError(
          message: "metricsPort \(metricsPort) is already the wire or gRPC port; the operations endpoint needs a port of its own")
      }
    }
    guard ["text", "json"].contains(self.logFormat) else {
      throw ConfigurationError(message: "logFormat must be \"text\" or \"json\", got \"\(self.logFormat)\"")
    }
    guard TimeZone(identifier: self.timeZone) != nil else {
      throw ConfigurationError(message: "timeZone \"\(self.timeZone)\" is not a known time zone")
    }
    do {
      try Organisation.validateRegionCode(self.rootRegionCode)
    } catch {
      throw ConfigurationError(message: "rootRegionCode: \(error.reason)")
    }
    for (name, path) in [
      ("certificatePath", self.certificatePath), ("privateKeyPath", self.privateKeyPath),
      ("clientCAPath", self.clientCAPath),
    ] where !FileManager.default.isReadableFile(atPath: path) {
      throw ConfigurationError(
        message: "\(name): \(path) is not readable (create a development PKI with certs/dev-pki.sh)")
    }
    guard self.auditCheckpointIntervalSeconds >= 0 else {
      throw ConfigurationError(message: "auditCheckpointIntervalSeconds must be 0 (on demand only) or more")
    }
    let limits = self.limits
    guard limits.maxFrameSize >= 1024, limits.maxFrameSize <= 64 * 1024 * 1024 else {
      throw ConfigurationError(message: "limits.maxFrameSize must be 1 KiB to 64 MiB")
    }
    // Settings announce 0 as "the default", so a limit of 0 would be announced as 8 KiB
    // while enforced as nothing: every call with metadata would fail.
    guard limits.maxMetadataSize >= 1024, limits.maxMetadataSize <= 1024 * 1024 else {
      throw ConfigurationError(message: "limits.maxMetadataSize must be 1 KiB to 1 MiB")
    }
    guard limits.maxConnections >= 1, limits.maxConnectionsPerPrincipal >= 1 else {
      throw ConfigurationError(message: "limits.maxConnections and limits.maxConnectionsPerPrincipal must be at least 1")
    }
    guard limits.callsPerSecondPerPrincipal >= 0,
      limits.callsPerSecondPerPrincipal == 0 || limits.callBurstPerPrincipal >= 1
    else {
      throw ConfigurationError(
        message: "limits.callsPerSecondPerPrincipal must be 0 (off) or more, with callBurstPerPrincipal at least 1")
    }
    guard limits.maxConcurrentCallsPerConnection >= 1 else {
      throw ConfigurationError(message: "limits.maxConcurrentCallsPerConnection must be at least 1")
    }
  }
}

/// A configuration value that cannot be used, with what is wrong.
public struct ConfigurationError: Error, CustomStringConvertible {
  public var message: String
  public var description: String { self.message }
}
