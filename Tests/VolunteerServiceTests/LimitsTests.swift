import Foundation
import GRPCCore
import NIOCore
import SwiftASN1
import SwiftProtobuf
import Testing
import WireProtocol
import X509

@testable import VolunteerService

/// Per-principal rate limit, connection limits and the revoked-serial deny list.
@Suite("Limits")
struct LimitsTests {
  @Test("a token bucket allows its burst, then one call per 1/rate seconds, per key")
  func tokenBucket() {
    let limiter = RateLimiter(ratePerSecond: 10, burst: 3)
    let start = ContinuousClock.now
    for _ in 0..<3 { #expect(limiter.admit("a", at: start) == nil) }
    let wait = limiter.admit("a", at: start)
    #expect(wait == .milliseconds(100))
    #expect(limiter.admit("b", at: start) == nil, "another key has its own bucket")
    #expect(limiter.admit("a", at: start + .milliseconds(50)) == .milliseconds(50))
    #expect(limiter.admit("a", at: start + .milliseconds(100)) == nil)
    #expect(limiter.admit("a", at: start + .milliseconds(100)) != nil)
    // Idle for a long time: the bucket is full again, never more than the burst.
    let later = start + .seconds(60)
    for _ in 0..<3 { #expect(limiter.admit("a", at: later) == nil) }
    #expect(limiter.admit("a", at: later) != nil)
  }

  @Test("the table of buckets stays bounded: full buckets are dropped")
  func boundedKeys() {
    let limiter = RateLimiter(ratePerSecond: 1, burst: 1, maxTrackedKeys: 100)
    let start = ContinuousClock.now
    for index in 0..<1_000 {
      _ = limiter.admit("key-\(index)", at: start + .seconds(index * 2))
    }
    #expect(limiter.trackedKeys <= 101)
  }

  @Test("a principal over its rate gets RESOURCE_EXHAUSTED with retry-after-ms in the trailers")
  func rateLimitOverTheWire() async throws {
    try await withRunningServer(configure: {
      $0.limits.callsPerSecondPerPrincipal = 0.5
      $0.limits.callBurstPerPrincipal = 2
    }) { server, _ in
      let port = try #require(try await server.transport.listeningAddress.port)
      try await withClient(port: port, certificate: "admin") { client in
        let health = Volunteer_V1_Health.Client(wrapping: client)
        _ = try await health.check(.init())
        _ = try await health.check(.init())
        do {
          _ = try await health.check(.init())
          Issue.record("the third call within the burst of 2 succeeded")
        } catch let error as RPCError {
          #expect(error.code == .resourceExhausted)
          #expect(error.message.contains("retry after"))
          let retry = try #require(error.metadata[stringValues: "retry-after-ms"].first(where: { _ in true }))
          let milliseconds = try #require(Int(retry))
          // One token refills in 2 s at 0.5/s; what is left of that depends on how long the
          // first two calls took (the first sets up the connection), so only the bounds hold.
          #expect(milliseconds > 0 && milliseconds <= 2_000)
        }
      }
    }
  }

  @Test("a revoked serial fails the TLS handshake on both ports (the verification callback)")
  func revokedSerial() async throws {
    let pem = try String(contentsOfFile: TestPKI.path("admin.crt"), encoding: .utf8)
    let identity = try PeerIdentity(certificate: Certificate(pemEncoded: pem))
    let list = try makeTemporaryDirectory() + "/revoked.txt"
    // The way `openssl x509 -serial` prints it: upper case, a comment, a blank line.
    try "# revoked 2026-11-28\n\n\(identity.certificateSerial.uppercased())  # the admin's old certificate\n"
      .write(toFile: list, atomically: true, encoding: .utf8)
    try await withRunningServer(configure: {
      $0.revokedSerialsPath = list
      $0.grpcPort = 0
    }) { server, _ in
      let port = try #require(try await server.transport.listeningAddress.port)
      // BoringSSL verified the chain and the callback vetoed it: the handshake fails with an
      // alert, so no call reaches either port.
      let overGRPC = await expectRPCError(.unavailable) {
        _ = try await GRPCPortTests.withHTTP2Client(port: try await GRPCPortTests.grpcPort(of: server), certificate: "admin") {
          try await Volunteer_V1_Health.Client(wrapping: $0).check(.init())
        }
      }
      #expect(!overGRPC.isEmpty)
      let message = await expectRPCError(.unavailable) {
        _ = try await withClient(port: port, certificate: "admin") { client in
          try await Volunteer_V1_Health.Client(wrapping: client).check(.init())
        }
      }
      #expect(message.contains("TLS failed") && message.contains("ALERT"), "\(message)")
      // Another certificate of the same CA is unaffected.
      _ = try await withClient(port: port, certificate: "partner") { client in
        await expectRPCError(.unauthenticated) {
          _ = try await Volunteer_V1_Health.Client(wrapping: client).check(.init())
        }
      }
    }
  }

  @Test("a malformed deny list stops the start with the line at fault")
  func malformedDenyList() throws {
    let list = try makeTemporaryDirectory() + "/revoked.txt"
    try "0a1b\nnot-a-serial\n".write(toFile: list, atomically: true, encoding: .utf8)
    var configuration = ServiceConfiguration()
    configuration.revokedSerialsPath = list
    #expect(throws: ConfigurationError.self) { try configuration.revokedSerials() }
    try "0A:1B\n".write(toFile: list, atomically: true, encoding: .utf8)
    #expect(try configuration.revokedSerials() == ["0a1b"])
  }

  @Test("a principal beyond its connection limit gets RESOURCE_EXHAUSTED; closing one frees a slot")
  func connectionsPerPrincipal() async throws {
    try await withRunningServer(configure: { $0.limits.maxConnectionsPerPrincipal = 1 }) { server, _ in
      let port = try #require(try await server.transport.listeningAddress.port)
      try await withClient(port: port, certificate: "admin") { first in
        _ = try await Volunteer_V1_Health.Client(wrapping: first).check(.init())
        let message = await expectRPCError(.unavailable) {
          _ = try await withClient(port: port, certificate: "admin") { second in
            try await Volunteer_V1_Health.Client(wrapping: second).check(.init())
          }
        }
        #expect(message.contains("connections"), "\(message)")
      }
      // The first connection closed: a new one is admitted.
      var admitted = false
      for _ in 0..<50 where !admitted {
        do {
          _ = try await withClient(port: port, certificate: "admin") { client in
            try await Volunteer_V1_Health.Client(wrapping: client).check(.init())
          }
          admitted = true
        } catch {
          try await Task.sleep(for: .milliseconds(50))
        }
      }
      #expect(admitted)
    }
  }

  @Test("serials compare as numbers: DER bytes with a leading zero match the hex of openssl x509 -serial")
  func serialComparison() {
    let check = RevokedSerialCheck(serials: ["0A1B", "00ff"])
    #expect(check.isRevoked(serialBytes: [0x0a, 0x1b]))
    #expect(check.isRevoked(serialBytes: [0x00, 0xff]))
    #expect(!check.isRevoked(serialBytes: [0x0a, 0x1c]))
    #expect(!check.isRevoked(serialBytes: [0x0a, 0x1b, 0x00]))
    #expect(RevokedSerialCheck(serials: []).isEmpty)
  }
}
