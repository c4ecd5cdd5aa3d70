import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore
import NIOPosix
import SwiftProtobuf
import Testing
import WireProtocol

@testable import VolunteerService

/// The same services on stock gRPC (HTTP/2): the same mutual TLS, principals and interceptors
/// as the wire protocol, and the same data behind both ports.
@Suite("Stock gRPC port")
struct GRPCPortTests {
  /// Runs `body` with an HTTP/2 gRPC client holding the test PKI certificate `certificate`.
  static func withHTTP2Client<Result: Sendable>(
    port: Int, certificate: String,
    _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
  ) async throws -> Result {
    let transport = try HTTP2ClientTransport.Posix(
      target: .ipv4(address: "127.0.0.1", port: port),
      transportSecurity: .mTLS(
        certificateChain: [.file(path: TestPKI.path("\(certificate).crt"), format: .pem)],
        privateKey: .file(path: TestPKI.path("\(certificate).key"), format: .pem)
      ) { tls in
        tls.trustRoots = .certificates([.file(path: TestPKI.path("ca.crt"), format: .pem)])
        tls.serverCertificateVerification = .fullVerification
      })
    return try await withGRPCClient(transport: transport) { client in
      try await body(client)
    }
  }

  static func grpcPort(of server: VolunteerServer) async throws -> Int {
    let address = try #require(server.grpcTransport, "the gRPC port is not configured")
    return try #require(try await address.listeningAddress.ipv4?.port)
  }

  @Test("off unless configured")
  func offByDefault() async throws {
    try await withRunningServer { server, _ in
      #expect(server.grpcTransport == nil)
    }
  }

  @Test("authenticates by certificate and authorises by role, like the wire port")
  func authentication() async throws {
    try await withRunningServer(configure: { $0.grpcPort = 0 }) { server, _ in
      let port = try await Self.grpcPort(of: server)
      let health = try await Self.withHTTP2Client(port: port, certificate: "admin") { client in
        try await Volunteer_V1_Health.Client(wrapping: client).check(.init())
      }
      #expect(health.status == .serving)
      #expect(health.caller.id == "spiffe://volunteer/admin/bootstrap")
      #expect(health.caller.role == .admin)

      // A certificate of the partner CA whose principal is not registered.
      let message = await expectRPCError(.unauthenticated) {
        _ = try await Self.withHTTP2Client(port: port, certificate: "partner") { client in
          try await Volunteer_V1_Health.Client(wrapping: client).check(.init())
        }
      }
      #expect(message.contains("spiffe://volunteer/partner/dev-partner"))

      // An auditor may read but not write: the method policy applies on this port too.
      try await Self.withHTTP2Client(port: port, certificate: "admin") { client in
        _ = try await Volunteer_V1_Principals.Client(wrapping: client).addPrincipal(
          .with {
            $0.id = "spiffe://volunteer/auditor/dev-auditor"
            $0.role = .auditor
            $0.scopeOrganisationID = "national"
          })
      }
      await expectRPCError(.permissionDenied) {
        _ = try await Self.withHTTP2Client(port: port, certificate: "auditor") { client in
          try await Volunteer_V1_Volunteers.Client(wrapping: client).registerVolunteer(
            ServiceEndToEndTests.registration(key: "grpc-auditor"))
        }
      }
    }
  }

  @Test("a certificate from another CA is refused at the handshake")
  func otherCA() async throws {
    try await withRunningServer(configure: { $0.grpcPort = 0 }) { server, _ in
      let port = try await Self.grpcPort(of: server)
      await expectRPCError(.unavailable) {
        _ = try await Self.withHTTP2Client(port: port, certificate: "stranger") { client in
          var options = CallOptions.defaults
          options.timeout = .seconds(5)
          return try await Volunteer_V1_Health.Client(wrapping: client).check(.init(), options: options)
        }
      }
    }
  }

  @Test("a volunteer registered over gRPC is read over the wire protocol, and a replay matches")
  func sameDataBothPorts() async throws {
    try await withRunningServer(configure: { $0.grpcPort = 0 }) { server, _ in
      let grpcPort = try await Self.grpcPort(of: server)
      let wirePort = try #require(try await server.transport.listeningAddress.port)
      let request = ServiceEndToEndTests.registration(key: "grpc-registration-1")
      let registered = try await Self.withHTTP2Client(port: grpcPort, certificate: "admin") { client in
        try await Volunteer_V1_Volunteers.Client(wrapping: client).registerVolunteer(request)
      }
      let replayed = try await withClient(port: wirePort, certificate: "admin") { client in
        try await Volunteer_V1_Volunteers.Client(wrapping: client).registerVolunteer(request)
      }
      #expect(replayed.volunteer.volunteerNumber == registered.volunteer.volunteerNumber)
      let read = try await withClient(port: wirePort, certificate: "admin") { client in
        try await Volunteer_V1_Volunteers.Client(wrapping: client).getVolunteer(
          .with { $0.volunteerNumber = registered.volunteer.volunteerNumber })
      }
      #expect(read.realName == "张三丰")

      // Bad input is refused with the same status and message on both ports.
      var bad = request
      bad.idempotencyKey = "grpc-registration-bad"
      bad.documentNumber = "110105194912310021"
      let overGRPC = await expectRPCError(.invalidArgument) {
        _ = try await Self.withHTTP2Client(port: grpcPort, certificate: "admin") { client in
          try await Volunteer_V1_Volunteers.Client(wrapping: client).registerVolunteer(bad)
        }
      }
      let overWire = await expectRPCError(.invalidArgument) {
        _ = try await withClient(port: wirePort, certificate: "admin") { client in
          try await Volunteer_V1_Volunteers.Client(wrapping: client).registerVolunteer(bad)
        }
      }
      #expect(overGRPC == overWire)
      #expect(!overGRPC.isEmpty)
    }
  }

  @Test("a TCP connection that never starts TLS is closed after the handshake timeout")
  func handshakeTimeout() async throws {
    try await withRunningServer(configure: {
      $0.grpcPort = 0
      $0.limits.handshakeTimeoutSeconds = 0.5
    }) { server, _ in
      let port = try await Self.grpcPort(of: server)
      let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port).get()
      let start = ContinuousClock.now
      let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask { try await channel.closeFuture.get(); return true }
        group.addTask { try await Task.sleep(for: .seconds(5)); return false }
        let first = try await group.next() ?? false
        group.cancelAll()
        return first
      }
      if !closed { try await channel.close() }
      #expect(closed, "the server kept a connection without TLS for 5 s")
      #expect(ContinuousClock.now - start >= .milliseconds(400))
    }
  }

  @Test("the configuration refuses a gRPC port equal to the wire port")
  func portClash() throws {
    var configuration = ServiceConfiguration()
    configuration.certificatePath = TestPKI.path("server.crt")
    configuration.privateKeyPath = TestPKI.path("server.key")
    configuration.clientCAPath = TestPKI.path("ca.crt")
    configuration.port = 7443
    configuration.grpcPort = 7443
    #expect(throws: ConfigurationError.self) { try configuration.validate() }
    configuration.grpcPort = 7444
    try configuration.validate()
    configuration.grpcPort = 70000
    #expect(throws: ConfigurationError.self) { try configuration.validate() }
  }
}
