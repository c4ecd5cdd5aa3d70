import Foundation
import GRPCCore
import NIOCore
import SwiftProtobuf
import Logging
import Synchronization
import Testing
import WireProtocol

@testable import VolunteerService

/// A development PKI made once per test process by certs/dev-pki.sh.
enum TestPKI {
  static let directory: String = {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("vrs-service-tests-pki-\(getpid())").path
    let status: Int32
    do {
      status = try Self.devPKI([directory])
    } catch {
      fatalError("cannot run certs/dev-pki.sh: \(error)")
    }
    precondition(status == 0, "certs/dev-pki.sh failed")
    return directory
  }()

  static func path(_ name: String) -> String { Self.directory + "/" + name }

  /// Adds a client certificate NAME.crt/.key for `uri` to the test PKI (idempotent: the
  /// script never overwrites).
  static func addClient(name: String, uri: String) throws {
    let status = try Self.mintLock.withLock { _ in
      try Self.devPKI(["client", name, uri, Self.directory])
    }
    guard status == 0 else { throw DevPKIError(status: status) }
  }

  /// certs/dev-pki.sh exited with `status`.
  struct DevPKIError: Error { var status: Int32 }
  private static let mintLock = Mutex(())

  /// Runs certs/dev-pki.sh with `arguments` and returns its exit status.
  private static func devPKI(_ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [repositoryPath("certs/dev-pki.sh")] + arguments
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }
}

/// A path inside the repository checkout.
func repositoryPath(_ relative: String) -> String {
  URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent(relative).path
}

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> String {
  let path = FileManager.default.temporaryDirectory
    .appendingPathComponent("vrs-test-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// A SQLite store at `directory/file`, bootstrapped with the root organisation `national`
/// and its admin `admin`.
func makeBootstrappedStore(in directory: String, file: String = "volunteer.sqlite") async throws
  -> SQLiteRecordStore
{
  let store = try SQLiteRecordStore(path: directory + "/" + file)
  try await store.bootstrap(
    root: .root(id: "national", name: "National", regionCode: "100000"),
    admin: Principal(
      id: "admin", role: .admin, scopeOrganisationID: "national", displayName: "admin",
      createdAt: Date(), createdBy: "bootstrap"))
  return store
}

/// Runs `body` against a live service on a free loopback port with a fresh data directory,
/// then shuts the service down gracefully.
func withRunningService(
  _ body: (_ port: Int, _ dataDirectory: String) async throws -> Void
) async throws {
  try await withRunningServer { server, dataDirectory in
    try await body(try await server.transport.listeningAddress.port ?? 0, dataDirectory)
  }
}

/// Runs `body` against a live service on `store`: SQLite in the data directory, or a fresh
/// PostgreSQL database of its own (dropped afterwards).
func withRunningService(
  store kind: StoreKind, _ body: (_ port: Int, _ dataDirectory: String) async throws -> Void
) async throws {
  switch kind {
  case .sqlite:
    try await withRunningService(body)
  case .postgres:
    try await TestPostgres.withDatabase { location in
      try await withRunningServer(configure: { $0.store = location.url }) { server, dataDirectory in
        try await body(try await server.transport.listeningAddress.port ?? 0, dataDirectory)
      }
    }
  }
}

/// Runs `body` against a live server configured by `configure` (on top of free loopback
/// ports, the test PKI and a fresh data directory), then shuts it down gracefully.
func withRunningServer(
  configure: (inout ServiceConfiguration) -> Void = { _ in },
  _ body: (_ server: VolunteerServer, _ dataDirectory: String) async throws -> Void
) async throws {
  let dataDirectory = try makeTemporaryDirectory()
  defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
  var configuration = ServiceConfiguration()
  configuration.port = 0
  configuration.dataDirectory = dataDirectory
  configuration.certificatePath = TestPKI.path("server.crt")
  configuration.privateKeyPath = TestPKI.path("server.key")
  configuration.clientCAPath = TestPKI.path("ca.crt")
  configuration.policyDirectory = repositoryPath("Policies")
  configure(&configuration)
  let server = try await VolunteerServer(
    configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
  try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await server.run() }
    _ = try await server.transport.listeningAddress
    do {
      try await body(server, dataDirectory)
    } catch {
      server.beginGracefulShutdown()
      try? await group.waitForAll()
      throw error
    }
    server.beginGracefulShutdown()
    try await group.waitForAll()
  }
}

/// Runs `body` with a client holding the dev PKI certificate `certificate` (e.g. "partner").
func withClient<Result: Sendable>(
  port: Int, certificate: String,
  _ body: (GRPCClient<WireClientTransport>) async throws -> Result
) async throws -> Result {
  let transport = WireClientTransport(
    configuration: .init(
      host: "127.0.0.1", port: port,
      tls: WireTLSFiles(
        certificateChainPath: TestPKI.path("\(certificate).crt"),
        privateKeyPath: TestPKI.path("\(certificate).key"),
        trustRootsPath: TestPKI.path("ca.crt"))))
  return try await withGRPCClient(transport: transport) { client in
    try await body(client)
  }
}

/// Asserts that `body` fails with an `RPCError` of `code`, returning its message.
@discardableResult
func expectRPCError(
  _ code: RPCError.Code, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () async throws -> Void
) async -> String {
  do {
    try await body()
    Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
    return ""
  } catch let error as RPCError {
    #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    return error.message
  } catch {
    Issue.record("expected RPCError \(code), got \(error)", sourceLocation: sourceLocation)
    return ""
  }
}
