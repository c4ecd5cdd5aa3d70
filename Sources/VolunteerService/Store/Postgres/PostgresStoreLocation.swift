import Foundation
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL store lives, parsed from `--store postgres://user:pass@host:port/db`.
///
/// A URL (rather than separate flags) because operators already hold one per database in
/// their secret stores, and libpq tools (`psql`, `pg_dump`) take the same string. The query
/// parameter `sslmode` follows libpq's names: `disable`, `prefer` (the default, as libpq's),
/// `require` and `verify-full`; `sslrootcert=PATH` names the CA to verify the server against.
public struct PostgresStoreLocation: Sendable, Equatable {
  /// How strictly the connection to the database is protected.
  public enum TLSMode: String, Sendable, Equatable {
    /// Plaintext: only for a database on loopback or a private socket.
    case disable
    /// TLS when the server offers it, without verifying its certificate (libpq's default).
    case prefer
    /// TLS required; the certificate is not verified (encryption against passive listeners).
    case require
    /// TLS required and the server's certificate verified against the CA and the host name.
    case verifyFull = "verify-full"
  }

  public var host: String
  public var port: Int
  public var username: String
  /// Kept out of `description`, so the location can be logged.
  public var password: String?
  public var database: String
  public var tlsMode: TLSMode
  /// PEM file of the CA that signed the server's certificate (`sslrootcert`); `nil` uses the
  /// system trust store.
  public var rootCertificatePath: String?

  /// Parses a `postgres://` or `postgresql://` URL.
  ///
  /// - Throws: ``ConfigurationError`` naming what is wrong, so a typo in a deployment's
  ///   settings stops the start with a message instead of a connection timeout later.
  public init(url text: String) throws {
    guard let components = URLComponents(string: text),
      let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme)
    else {
      throw ConfigurationError(
        message: "store URL must look like postgres://user:password@host:5432/database, got \(Self.redacted(text))")
    }
    guard let host = components.host, !host.isEmpty else {
      throw ConfigurationError(message: "store URL \(Self.redacted(text)) names no host")
    }
    guard let user = components.user, !user.isEmpty else {
      throw ConfigurationError(message: "store URL \(Self.redacted(text)) names no user (postgres://USER:password@…)")
    }
    let database = String(components.path.drop { $0 == "/" })
    guard !database.isEmpty else {
      throw ConfigurationError(message: "store URL \(Self.redacted(text)) names no database (…/DATABASE)")
    }
    self.host = host
    self.port = components.port ?? 5432
    self.username = user.removingPercentEncoding ?? user
    self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
    self.database = database.removingPercentEncoding ?? database
    self.tlsMode = .prefer
    self.rootCertificatePath = nil
    for item in components.queryItems ?? [] {
      switch item.name {
      case "sslmode":
        guard let mode = TLSMode(rawValue: item.value ?? "") else {
          throw ConfigurationError(
            message: "sslmode must be disable, prefer, require or verify-full, got \(item.value ?? "(empty)")")
        }
        self.tlsMode = mode
      case "sslrootcert":
        self.rootCertificatePath = item.value
      default:
        throw ConfigurationError(
          message: "unknown store URL parameter \(item.name); supported: sslmode, sslrootcert")
      }
    }
  }

  /// The client configuration: the pool size bounds this instance's share of the server's
  /// `max_connections`, so N instances × `maximumConnections` must stay below it.
  public func clientConfiguration(maximumConnections: Int = 16) throws -> PostgresClient.Configuration {
    let tls: PostgresClient.Configuration.TLS
    switch self.tlsMode {
    case .disable:
      tls = .disable
    case .prefer, .require:
      var settings = TLSConfiguration.makeClientConfiguration()
      settings.certificateVerification = .none
      tls = self.tlsMode == .prefer ? .prefer(settings) : .require(settings)
    case .verifyFull:
      var settings = TLSConfiguration.makeClientConfiguration()
      settings.certificateVerification = .fullVerification
      if let path = self.rootCertificatePath {
        settings.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
      }
      tls = .require(settings)
    }
    var configuration = PostgresClient.Configuration(
      host: self.host, port: self.port, username: self.username, password: self.password,
      database: self.database, tls: tls)
    configuration.options.maximumConnections = maximumConnections
    return configuration
  }

  /// The same location on another database of the same server (tests and the migrate
  /// command create and drop databases through the maintenance database).
  public func on(database: String) -> PostgresStoreLocation {
    var other = self
    other.database = database
    return other
  }

  /// The location as a URL again (`--store` takes it), password included.
  public var url: String {
    var components = URLComponents()
    components.scheme = "postgres"
    components.host = self.host
    components.port = self.port
    components.user = self.username
    components.password = self.password
    components.path = "/" + self.database
    components.queryItems =
      [URLQueryItem(name: "sslmode", value: self.tlsMode.rawValue)]
      + (self.rootCertificatePath.map { [URLQueryItem(name: "sslrootcert", value: $0)] } ?? [])
    return components.string ?? ""
  }

  /// The URL with its password replaced, for logs and error messages.
  public static func redacted(_ text: String) -> String {
    guard var components = URLComponents(string: text), components.password != nil else { return text }
    components.password = "***"
    return components.string ?? "(unparseable URL)"
  }
}
