import Foundation
import Logging
import GRPCCore
import SwiftProtobuf
import Synchronization
import WireProtocol

@testable import VolunteerService

/// Every request message of every RPC method the server serves, decoded and handled by the
/// service's own code: the `GRPCServer` router (which deserializes the bytes with the method's
/// SwiftProtobuf deserializer), the real ``AuthenticationInterceptor`` and ``AuditInterceptor``,
/// and the handlers of `Sources/VolunteerService/Services` with their validation and mapping
/// to domain types, over a real SQLite store in a temporary directory. Only the wire framing is
/// replaced, by ``FuzzTransport``.
///
/// Input layout: byte 0 picks the method (index into the served methods sorted by name, modulo
/// their number), byte 1 the caller (root admin, a partner scoped to a province, a root
/// auditor, an unregistered principal, no certificate identity), the rest is the serialized
/// request message. A client-streaming method (Hours/UploadHours) receives it twice.
///
/// Checked: no crash, trap or precondition failure; every call ends with exactly one Status,
/// written last, and its writer finished once. Status codes are counted and printed at exit.
/// The set of methods the server serves must equal the set declared in the generated
/// `Sources/WireProtocol/Generated/*.grpc.swift`, so a new service the fuzz assembly lacks
/// fails at start-up (see ``Harness/checkMethodsAgainstGeneratedCode()``).
enum RequestFuzzing {
  static func run(_ input: [UInt8]) {
    let harness = Harness.shared
    guard !input.isEmpty else { return }
    let method = harness.methods[Int(input[0]) % harness.methods.count]
    let callerByte = input.count > 1 ? input[1] : 0
    let message = Array(input.dropFirst(2))
    let outcome = harness.call(method, message: message, caller: Harness.callerIndex(callerByte))
    Statistics.shared.record(method: method, code: outcome)
  }
}

/// The assembled server: the same services and interceptors as `VolunteerServer.init`.
final class Harness: Sendable {
  static let shared: Harness = Harness.make()

  let methods: [MethodDescriptor]
  let handler: FuzzTransport.StreamHandler
  let callers: [PeerIdentity?]
  let fixtures: Fixtures
  let dataDirectory: String
  private let server: GRPCServer<FuzzTransport>

  /// Ids the seeds and the setup share.
  struct Fixtures: Sendable {
    var rootOrganisationID = ""
    var provinceID = "fuzz-province"
    var volunteerNumber = ""
    var activityID = ""
    var recordID = ""
    var credentialNumber = ""
    var credentialToken = ""
    var kid = ""
  }

  static let admin = ServiceConfiguration().bootstrapAdmin
  static let partner = "spiffe://volunteer/partner/fuzz"
  static let auditor = "spiffe://volunteer/auditor/fuzz"
  static let stranger = "spiffe://volunteer/partner/unregistered"

  /// Byte 1 of an input: mostly the root admin, who may call everything.
  static func callerIndex(_ byte: UInt8) -> Int {
    [0, 0, 0, 0, 1, 2, 3, 4][Int(byte % 8)]
  }

  private init(
    methods: [MethodDescriptor], handler: @escaping FuzzTransport.StreamHandler, fixtures: Fixtures,
    dataDirectory: String, server: GRPCServer<FuzzTransport>
  ) {
    self.methods = methods
    self.handler = handler
    self.callers = [
      PeerIdentity(principalID: Self.admin, certificateSerial: "01"),
      PeerIdentity(principalID: Self.partner, certificateSerial: "02"),
      PeerIdentity(principalID: Self.auditor, certificateSerial: "03"),
      PeerIdentity(principalID: Self.stranger, certificateSerial: "04"),
      nil,
    ]
    self.fixtures = fixtures
    self.dataDirectory = dataDirectory
    self.server = server
  }

  /// The repository checkout this file was compiled from (Policies/, the generated code).
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  private static func make() -> Harness {
    // A RAM-backed directory when there is one: synchronous=FULL commits cost nothing there.
    let base = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let directory = base + "/vrs-fuzz-requests-\(getpid())"
    try? FileManager.default.removeItem(atPath: directory)
    Self.removeAtExit(directory)
    let (server, transport) = runBlocking { () -> (GRPCServer<FuzzTransport>, FuzzTransport) in
      do {
        return try await Self.assemble(directory: directory)
      } catch {
        fatalError("fuzz-requests: cannot assemble the service in \(directory): \(error)")
      }
    }
    let handler = transport.waitUntilListening()
    let methods = transport.methods.sorted { $0.fullyQualifiedMethod < $1.fullyQualifiedMethod }
    var harness = Harness(
      methods: methods, handler: handler, fixtures: Fixtures(), dataDirectory: directory, server: server)
    Self.checkMethodsAgainstGeneratedCode(methods)
    let fixtures = harness.makeFixtures()
    harness = Harness(
      methods: methods, handler: handler, fixtures: fixtures, dataDirectory: directory, server: server)
    if let seeds = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] {
      Seeds.write(to: seeds, harness: harness)
      exit(0)
    }
    return harness
  }

  /// Store, keys, policies and `VolunteerServer.makeServices`, behind the same interceptors,
  /// on a ``FuzzTransport``.
  private static func assemble(directory: String) async throws -> (GRPCServer<FuzzTransport>, FuzzTransport) {
    var configuration = ServiceConfiguration()
    configuration.dataDirectory = directory
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let store = try SQLiteRecordStore(path: directory + "/volunteer.sqlite")
    let protector = try PersonalDataProtector.loadOrCreate(keyFile: directory + "/personal-data.key")
    try await store.bootstrap(
      root: .root(
        id: configuration.rootOrganisationID, name: configuration.rootOrganisationName,
        regionCode: configuration.rootRegionCode),
      admin: Principal(
        id: configuration.bootstrapAdmin, role: .admin,
        scopeOrganisationID: configuration.rootOrganisationID, displayName: "bootstrap admin",
        createdAt: Date(), createdBy: "bootstrap"))
    let policies = try await PolicyRegistry.load(
      directory: Self.repository + "/" + configuration.policyDirectory,
      defaultPolicyID: configuration.defaultPolicy, store: store, at: Date())
    let keys = try SigningKeys(directory: directory + "/keys")
    let checkpointer = AuditCheckpointer(store: store, keys: keys)
    let services = try VolunteerServer.makeServices(
      configuration: configuration, store: store, protector: protector, policies: policies,
      keys: keys, checkpointer: checkpointer, logger: Logger(label: "fuzz-requests", factory: { _ in SwiftLogNoOpLogHandler() }))
    let interceptors: [any ServerInterceptor] = [AuthenticationInterceptor(store: store), AuditInterceptor()]
    let transport = FuzzTransport()
    let server = GRPCServer(transport: transport, services: services, interceptors: interceptors)
    Task.detached {
      do {
        try await server.serve()
      } catch {
        fatalError("fuzz-requests: the server stopped: \(error)")
      }
    }
    return (server, transport)
  }

  /// The methods of the generated service descriptors must all be served: the list is the
  /// generated code's, so a service added to Proto/ and the server but not to ``assemble`` is
  /// caught here rather than silently left unfuzzed.
  static func checkMethodsAgainstGeneratedCode(_ served: [MethodDescriptor]) {
    let directory = Self.repository + "/Sources/WireProtocol/Generated"
    guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      FileHandle.standardError.write(Data("fuzz-requests: warning: \(directory) not found; method list not checked\n".utf8))
      return
    }
    // Each method descriptor in the generated code reads
    //   service: GRPCCore.ServiceDescriptor(fullyQualifiedService: "volunteer.v1.Hours"),
    //   method: "LogHours"
    let pattern = try! Regex(#"fullyQualifiedService: "([^"]+)"\),\s*method: "([^"]+)""#)
    var declared = Set<String>()
    for file in files where file.hasSuffix(".grpc.swift") {
      guard let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8) else { continue }
      for match in text.matches(of: pattern) {
        if let service = match.output[1].substring, let method = match.output[2].substring {
          declared.insert("\(service)/\(method)")
        }
      }
    }
    let servedNames = Set(served.map(\.fullyQualifiedMethod))
    let missing = declared.subtracting(servedNames).sorted()
    guard missing.isEmpty, !declared.isEmpty else {
      fatalError(
        "fuzz-requests: the generated code declares methods the fuzz assembly does not serve: "
          + "\(missing) (declared \(declared.count)); add their service to Harness.assemble in "
          + "Fuzz/Sources/fuzz-requests/RequestFuzzing.swift, as VolunteerServer.init does")
    }
    if ProcessInfo.processInfo.environment["FUZZ_VERBOSE"] != nil {
      FileHandle.standardError.write(Data("fuzz-requests: \(served.count) methods served, all \(declared.count) generated ones\n".utf8))
    }
  }

  /// One call: Open (empty metadata), the message, HalfClose; returns the status code.
  func call(_ method: MethodDescriptor, message: [UInt8], caller: Int) -> Status.Code {
    let messages = method == Volunteer_V1_Hours.Method.UploadHours.descriptor ? [message, message] : [message]
    let identity = self.callers[caller]
    let handler = self.handler
    let (parts, finished) = runBlocking { () -> ([RPCResponsePart<[UInt8]>], Int) in
      let (inbound, continuation) = AsyncThrowingStream<RPCRequestPart<[UInt8]>, any Error>.makeStream()
      continuation.yield(.metadata([:]))
      for message in messages { continuation.yield(.message(message)) }
      continuation.finish()
      let collector = ResponseCollector()
      let stream = RPCStream(
        descriptor: method, inbound: RPCAsyncSequence(wrapping: inbound),
        outbound: RPCWriter.Closable(wrapping: collector))
      await withServerContextRPCCancellationHandle { handle in
        var context = ServerContext(
          descriptor: method, remotePeer: "fuzz:client", localPeer: "fuzz:server", cancellation: handle)
        context.transportSpecific = identity
        await handler(stream, context)
      }
      return (collector.parts, collector.finishCount)
    }
    let statuses = parts.compactMap { part -> Status? in
      if case .status(let status, _) = part { return status } else { return nil }
    }
    guard statuses.count == 1, case .status = parts.last, finished == 1 else {
      fatalError(
        "fuzz-requests: \(method) ended with \(statuses.count) statuses, finished \(finished) times: "
          + "\(parts.map { "\($0)" }) (message \(message.count) bytes: \(message.prefix(64).map { String(format: "%02x", $0) }.joined()))")
    }
    return statuses[0].code
  }

  /// A call's response message, decoded as `M`, when it succeeded.
  func response<M: SwiftProtobuf.Message>(
    _ method: MethodDescriptor, _ request: some SwiftProtobuf.Message, as: M.Type, caller: Int = 0
  ) -> M? {
    let bytes: [UInt8] = (try? request.serializedBytes()) ?? []
    let messages = [bytes]
    let identity = self.callers[caller]
    let handler = self.handler
    let parts = runBlocking { () -> [RPCResponsePart<[UInt8]>] in
      let (inbound, continuation) = AsyncThrowingStream<RPCRequestPart<[UInt8]>, any Error>.makeStream()
      continuation.yield(.metadata([:]))
      for message in messages { continuation.yield(.message(message)) }
      continuation.finish()
      let collector = ResponseCollector()
      let stream = RPCStream(
        descriptor: method, inbound: RPCAsyncSequence(wrapping: inbound),
        outbound: RPCWriter.Closable(wrapping: collector))
      await withServerContextRPCCancellationHandle { handle in
        var context = ServerContext(
          descriptor: method, remotePeer: "fuzz:client", localPeer: "fuzz:server", cancellation: handle)
        context.transportSpecific = identity
        await handler(stream, context)
      }
      return collector.parts
    }
    for part in parts {
      switch part {
      case .message(let bytes): return try? M(serializedBytes: bytes)
      case .status(let status, _) where status.code != .ok:
        FileHandle.standardError.write(Data("fuzz-requests: setup \(method.method): \(status)\n".utf8))
      default: break
      }
    }
    return nil
  }

  private static func removeAtExit(_ directory: String) {
    Self.directoryToRemove.withLock { $0 = directory }
    atexit {
      if let directory = Harness.directoryToRemove.withLock({ $0 }) {
        try? FileManager.default.removeItem(atPath: directory)
      }
      Statistics.shared.printSummary()
    }
  }
  private static let directoryToRemove = Mutex<String?>(nil)
}

/// Status codes per method, printed at exit (libFuzzer exits through `exit`).
final class Statistics: Sendable {
  static let shared = Statistics()
  private let counts = Mutex<[String: [Int: Int]]>([:])

  func record(method: MethodDescriptor, code: Status.Code) {
    self.counts.withLock { $0[method.fullyQualifiedMethod, default: [:]][code.rawValue, default: 0] += 1 }
  }

  func printSummary() {
    guard ProcessInfo.processInfo.environment["FUZZ_STATUS_SUMMARY"] != nil else { return }
    let counts = self.counts.withLock { $0 }
    var text = "fuzz-requests: status codes per method (code:count)\n"
    for (method, codes) in counts.sorted(by: { $0.key < $1.key }) {
      text += "  \(method) " + codes.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ") + "\n"
    }
    FileHandle.standardError.write(Data(text.utf8))
  }
}
