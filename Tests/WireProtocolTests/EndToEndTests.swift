import Foundation
import GRPCCore
import NIOCore
import NIOSSL
import Synchronization
import Testing

@testable import WireProtocol

/// `GRPCServer` + ``WireServerTransport`` and `GRPCClient` + ``WireClientTransport`` over real
/// mutual TLS on loopback, with the dev PKI; raw clients for what the real client never sends.
@Suite("End to end over mutual TLS", .serialized, .timeLimit(.minutes(2)))
struct EndToEndTests {
  // MARK: Calls

  @Test("unary echo succeeds, including an empty message")
  func unaryEcho() async throws {
    try await withTestServer { server in
      try await withTestClient(port: server.port) { client in
        let hello = try await client.call(TestService.echo, Array("hello".utf8))
        #expect(hello == Array("hello".utf8))
        let empty = try await client.call(TestService.echo, [])
        #expect(empty == [])
      }
    }
  }

  @Test("a server stream delivers every message in order")
  func serverStream() async throws {
    let probe = Probe()
    try await withTestServer(service: TestService(probe: probe)) { server in
      try await withTestClient(port: server.port) { client in
        let count = try await client.serverStreaming(
          request: ClientRequest(message: TestService.streamRequest(count: 500, size: 100)),
          descriptor: TestService.stream, serializer: BytesSerializer(),
          deserializer: BytesDeserializer(), options: .defaults
        ) { response in
          var count = 0
          for try await message in response.messages {
            #expect(message.count == 100)
            count += 1
          }
          return count
        }
        #expect(count == 500)
        #expect(probe.read { $0.streamEnded })
      }
    }
  }

  @Test("client streaming: the handler sees every message")
  func clientStreaming() async throws {
    try await withTestServer { server in
      try await withTestClient(port: server.port) { client in
        for messages in [0, 1, 300] {
          let answer = try await client.clientStreaming(
            request: StreamingClientRequest { writer in
              for index in 0..<messages {
                try await writer.write([UInt8](repeating: 1, count: index % 50))
              }
            },
            descriptor: TestService.count, serializer: BytesSerializer(),
            deserializer: BytesDeserializer(), options: .defaults
          ) { response in
            String(decoding: try response.message, as: UTF8.self)
          }
          let bytes = (0..<messages).reduce(0) { $0 + $1 % 50 }
          #expect(answer == "messages=\(messages) bytes=\(bytes)")
        }
      }
    }
  }

  @Test(
    "1,000 concurrent unary calls on one connection all succeed",
    arguments: [256, 10])
  func concurrentCalls(serverLimit: Int) async throws {
    try await withTestServer(configure: { $0.maxConcurrentCallsPerConnection = serverLimit }) {
      server in
      try await withTestClient(port: server.port) { client in
        try await withThrowingTaskGroup(of: Bool.self) { group in
          for index in 0..<1000 {
            group.addTask {
              let payload = Array("call \(index)".utf8)
              return try await client.call(TestService.echo, payload) == payload
            }
          }
          var succeeded = 0
          for try await ok in group where ok { succeeded += 1 }
          #expect(succeeded == 1000)
        }
      }
    }
  }

  // MARK: Identity and TLS

  @Test("the peer identity is the certificate's URI SAN, else its CN")
  func peerIdentity() async throws {
    try await withTestServer { server in
      for (certificate, principal) in [
        ("admin", "spiffe://volunteer/admin/bootstrap"),
        ("partner", "spiffe://volunteer/partner/dev-partner"),
        ("cn-only", "cn-only-client"),
      ] {
        try await withTestClient(port: server.port, certificate: certificate) { client in
          let answer = String(decoding: try await client.call(TestService.identity), as: UTF8.self)
          let parts = answer.split(separator: "|").map(String.init)
          #expect(parts.first == principal)
          #expect(parts.count == 2 && parts[1].count >= 16 && parts[1].allSatisfy(\.isHexDigit))
        }
      }
    }
  }

  @Test(
    "a certificate with several URI SANs or no identity gets GoAway UNAUTHENTICATED after TLS",
    arguments: [
      ("two-uris", "2 URI subject alternative names"),
      ("anonymous", "neither a URI subject alternative name nor a common name"),
    ])
  func unusableIdentity(certificate: String, reason: String) async throws {
    try await withTestServer { server in
      // No preface is sent: the GoAway comes right after the TLS handshake.
      let raw = try await RawClient.connect(port: server.port, tls: try RawClient.tls(certificate: certificate))
      defer { Task { [raw] in await raw.close() } }
      #expect(await raw.waitForClose())
      #expect(raw.frames.count == 1, "only the GoAway, no Settings")
      let goAway = raw.goAways.first
      #expect(goAway?.code == 16)
      #expect(goAway?.lastCallID == 0)
      #expect(goAway?.reason.contains(reason) == true)
    }
  }

  @Test("a client without a certificate is refused: UNAVAILABLE naming TLS")
  func noClientCertificate() async throws {
    try await withTestServer { server in
      try await withTestClient(
        port: server.port,
        configure: { configuration in
          var tls = try! configuration.tls.makeClientConfiguration()
          tls.certificateChain = []
          tls.privateKey = nil
          configuration.tlsConfigurationOverride = tls
        }
      ) { client in
        let error = await client.callError(TestService.echo)
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("TLS") == true, "\(String(describing: error))")
        #expect(error?.message.uppercased().contains("CERTIFICATE_REQUIRED") == true)
      }
    }
  }

  @Test("a certificate from another CA is refused: UNAVAILABLE naming TLS")
  func strangerCertificate() async throws {
    try await withTestServer { server in
      try await withTestClient(port: server.port, certificate: "stranger") { client in
        let error = await client.callError(TestService.echo)
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("TLS") == true, "\(String(describing: error))")
        #expect(error?.message.uppercased().contains("UNKNOWN_CA") == true)
      }
    }
  }

  @Test(
    "TLS 1.2 without a client certificate gets handshake_failure; TLS 1.1 is refused",
    arguments: ["tls12-no-certificate", "tls11"])
  func tlsRefusals(variant: String) async throws {
    try await withTestServer { server in
      var tls = try RawClient.tls(certificate: variant == "tls11" ? "admin" : nil)
      if variant == "tls11" {
        tls.minimumTLSVersion = .tlsv1
        tls.maximumTLSVersion = .tlsv11
      } else {
        tls.maximumTLSVersion = .tlsv12
      }
      let raw = try await RawClient.connect(port: server.port, tls: tls)
      defer { Task { [raw] in await raw.close() } }
      try? await raw.send(ConnectionPreface.bytes)
      #expect(await raw.waitForClose())
      #expect(raw.frames.isEmpty)
      let errors = raw.errors.joined(separator: "; ")
      let expected = variant == "tls11" ? "PROTOCOL_VERSION" : "HANDSHAKE_FAILURE"
      #expect(errors.uppercased().contains(expected), "\(errors)")
    }
  }

  @Test("ALPN is optional: no ALPN or only other protocols still connect", arguments: [[], ["h2"]])
  func alpnOptional(protocols: [String]) async throws {
    try await withTestServer { server in
      var tls = try RawClient.tls()
      tls.applicationProtocols = protocols
      let raw = try await RawClient.connect(port: server.port, tls: tls)
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(ConnectionPreface.bytes)
      let settings = await raw.waitForFrame { if case .settings = $0.kind { true } else { false } }
      #expect(settings != nil, "\(raw.errors)")
    }
  }

  // MARK: Deadlines and cancellation

  @Test("a deadline ends the call with DEADLINE_EXCEEDED and cancels the handler")
  func deadline() async throws {
    let probe = Probe()
    try await withTestServer(service: TestService(probe: probe)) { server in
      try await withTestClient(port: server.port) { client in
        let start = ContinuousClock.now
        let error = await client.callError(TestService.sleep, timeout: .milliseconds(300))
        #expect(error?.code == .deadlineExceeded)
        #expect(ContinuousClock.now - start < .seconds(3))
        #expect(await waitUntil { probe.read { $0.sleepSawCancellation == 1 } })
        // The connection is still usable.
        let after = try await client.call(TestService.echo, [1])
        #expect(after == [1])
      }
    }
  }

  @Test("a deadline is kept while the client is still connecting; connecting times out")
  func deadlineWhileConnecting() async throws {
    try await withSilentServer { port in
      try await withTestClient(port: port, configure: { $0.connectTimeout = .seconds(30) }) {
        client in
        let start = ContinuousClock.now
        let error = await client.callError(TestService.echo, timeout: .milliseconds(300))
        #expect(error?.code == .deadlineExceeded)
        #expect(ContinuousClock.now - start < .seconds(3))
      }
      try await withTestClient(port: port, configure: { $0.connectTimeout = .milliseconds(500) }) {
        client in
        let error = await client.callError(TestService.echo)
        #expect(error?.code == .unavailable)
        #expect(
          error?.message.contains("no TLS handshake and settings from the server within 500 ms")
            == true, "\(String(describing: error))")
      }
    }
  }

  @Test("cancelling the client's task cancels the handler")
  func clientCancellation() async throws {
    let probe = Probe()
    try await withTestServer(service: TestService(probe: probe)) { server in
      try await withTestClient(port: server.port) { client in
        let call = Task { try await client.call(TestService.sleep) }
        #expect(await waitUntil { probe.read { $0.sleepStarted == 1 } })
        #expect(probe.read { $0.sleepSawCancellation } == 0)
        call.cancel()
        await #expect(throws: (any Error).self) { try await call.value }
        #expect(await waitUntil { probe.read { $0.sleepSawCancellation == 1 } })
        let after = try await client.call(TestService.echo, [2])
        #expect(after == [2])
      }
    }
  }

  // MARK: Flow control

  @Test("a slow reader suspends the server's writer instead of buffering")
  func slowReaderBackpressure() async throws {
    let probe = Probe()
    let total = 2000
    try await withTestServer(service: TestService(probe: probe)) { server in
      try await withTestClient(port: server.port) { client in
        let lags = try await client.serverStreaming(
          request: ClientRequest(message: TestService.streamRequest(count: total, size: 64 * 1024)),
          descriptor: TestService.stream, serializer: BytesSerializer(),
          deserializer: BytesDeserializer(), options: .defaults
        ) { response in
          var read = 0
          var lags: [Int] = []
          for try await message in response.messages {
            #expect(message.count == 64 * 1024)
            read += 1
            if [1, 100, 500, 1000, 1500].contains(read) {
              // Pause reading: the server keeps writing only as far as buffers allow.
              try await Task.sleep(for: .milliseconds(400))
              lags.append(probe.read { $0.streamWritten } - read)
            }
          }
          #expect(read == total)
          return lags
        }
        #expect(lags.count == 5)
        for lag in lags { #expect(lag < 200, "written - read = \(lag); lags \(lags)") }
        #expect(probe.read { $0.streamEnded })
      }
    }
  }

  @Test("a client that stops reading is disconnected by keepalive; its handler's writes fail")
  func stuckReaderDisconnected() async throws {
    let probe = Probe()
    try await withTestServer(
      service: TestService(probe: probe),
      configure: {
        $0.keepaliveInterval = .milliseconds(200)
        $0.keepaliveTimeout = .milliseconds(200)
        $0.closeTimeout = .milliseconds(300)
      }
    ) { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(ConnectionPreface.bytes)
      try await raw.send(
        RawClient.open(1, RawClient.path(TestService.stream)),
        RawClient.message(1, TestService.streamRequest(count: 5000, size: 64 * 1024)),
        RawClient.halfClose(1))
      #expect(await raw.waitForFrame { if case .message = $0.kind { true } else { false } } != nil)
      raw.stopReading()
      // Keepalive (0.4 s) and the close timeout (0.3 s) end it; without them it hangs.
      #expect(await waitUntil(timeout: .seconds(10)) { probe.read { $0.streamError != nil } })
      #expect(probe.read { $0.streamWritten } < 1000)
    }
  }

  // MARK: Shutdown and connection management

  @Test("graceful shutdown: the call in flight completes, a new call gets UNAVAILABLE")
  func gracefulShutdown() async throws {
    let probe = Probe()
    try await withTestServer(service: TestService(probe: probe)) { server in
      try await withTestClient(port: server.port) { client in
        let inFlight = Task { try await client.call(TestService.hold, [7]) }
        #expect(await waitUntil { probe.read { $0.holdStarted == 1 } })
        server.server.beginGracefulShutdown()
        try await Task.sleep(for: .milliseconds(200))
        let error = await client.callError(TestService.echo, [8])
        #expect(error?.code == .unavailable)
        probe.update { $0.holdReleased = true }
        #expect(try await inFlight.value == [7])
      }
    }
  }

  @Test("after the server's GoAway the client opens new calls on a new connection")
  func reconnectAfterGoAway() async throws {
    try await withTestServer(configure: { $0.idleTimeout = .milliseconds(300) }) { server in
      let raw = try await RawClient.connect(port: server.port)  // to see the idle GoAway
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(ConnectionPreface.bytes)
      try await withTestClient(port: server.port) { client in
        #expect(try await client.call(TestService.echo, [1]) == [1])
        #expect(await raw.waitForClose())
        #expect(raw.goAways.first?.reason == "idle timeout")
        try await Task.sleep(for: .milliseconds(300))  // the client's connection went idle too
        #expect(try await client.call(TestService.echo, [2]) == [2])
      }
    }
  }

  @Test("a connection out of call ids takes no new calls; they go to a new connection")
  func callIDExhaustion() async throws {
    let probe = Probe()
    try await withTestServer(service: TestService(probe: probe)) { server in
      try await withTestClient(
        port: server.port, configure: { $0.firstCallID = UInt32.max - 1 }
      ) { client in
        // The first connection's two calls use ids 4294967294 and 4294967295.
        let first = Task { try await client.call(TestService.hold, [1]) }
        let second = Task { try await client.call(TestService.hold, [2]) }
        #expect(await waitUntil { probe.read { $0.holdStarted == 2 } })
        // No id is left on that connection: this call needs a new one.
        let third = try await client.call(TestService.echo, [3])
        #expect(third == [3])
        probe.update { $0.holdReleased = true }
        let results = (try await first.value, try await second.value)
        #expect(results.0 == [1] && results.1 == [2])
      }
    }
  }

  @Test("ping and pong do not keep an idle connection open")
  func idleDespiteKeepalive() async throws {
    try await withTestServer(
      configure: {
        $0.keepaliveInterval = .milliseconds(50)
        $0.idleTimeout = .milliseconds(600)
      }
    ) { server in
      let raw = try await RawClient.connect(port: server.port, answerPings: true)
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(ConnectionPreface.bytes)
      let start = ContinuousClock.now
      #expect(await raw.waitForClose(timeout: .seconds(5)))
      #expect(ContinuousClock.now - start >= .milliseconds(550))
      let pings = raw.frames.filter { if case .ping = $0.kind { true } else { false } }
      #expect(pings.count >= 3, "the server pinged and was answered")
      #expect(raw.goAways.map(\.code) == [0])
      #expect(raw.goAways.first?.reason == "idle timeout")
    }
  }

  @Test("an unanswered keepalive ping closes the connection")
  func keepaliveTimeout() async throws {
    try await withTestServer(
      configure: {
        $0.keepaliveInterval = .milliseconds(100)
        $0.keepaliveTimeout = .milliseconds(200)
      }
    ) { server in
      let raw = try await RawClient.connect(port: server.port, answerPings: false)
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(ConnectionPreface.bytes)
      #expect(await raw.waitForClose())
      #expect(raw.goAways.map(\.code) == [14])
      #expect(raw.goAways.first?.reason == "keepalive ping not answered within 200 ms")
    }
  }

  @Test("a connection that never starts TLS is closed by the handshake timeout")
  func handshakeTimeoutWithoutTLS() async throws {
    try await withTestServer(configure: { $0.handshakeTimeout = .milliseconds(300) }) { server in
      let raw = try await RawClient.connect(port: server.port, tls: nil)
      defer { Task { [raw] in await raw.close() } }
      #expect(await raw.waitForClose(timeout: .seconds(3)))
      #expect(raw.frames.isEmpty)
    }
  }

  @Test("TLS without a preface gets GoAway UNAVAILABLE at the handshake timeout")
  func handshakeTimeoutWithoutPreface() async throws {
    try await withTestServer(configure: { $0.handshakeTimeout = .milliseconds(300) }) { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      #expect(await raw.waitForClose(timeout: .seconds(3)))
      #expect(raw.goAways.map(\.code) == [14])
      #expect(
        raw.goAways.first?.reason
          == "TLS handshake and connection preface not completed within 300 ms")
    }
  }

  // MARK: Limits and errors

  @Test("metadata over the limit ends the call with RESOURCE_EXHAUSTED")
  func oversizedMetadata() async throws {
    try await withTestServer { server in
      try await withTestClient(port: server.port) { client in
        let error = await client.callError(
          TestService.echo, [1], metadata: ["x-big": "\(String(repeating: "a", count: 9000))"])
        #expect(error?.code == .resourceExhausted)
        #expect(error?.message == "metadata exceeds the limit of 8192 bytes")
        let after = try await client.call(TestService.echo, [3])
        #expect(after == [3])
      }
    }
  }

  @Test("an unknown method gets UNIMPLEMENTED")
  func unknownMethod() async throws {
    try await withTestServer { server in
      try await withTestClient(port: server.port) { client in
        let error = await client.callError(
          MethodDescriptor(fullyQualifiedService: "test.Test", method: "Nope"))
        #expect(error?.code == .unimplemented)
      }
    }
  }

  @Test("a response larger than the frame limit ends its call with RESOURCE_EXHAUSTED")
  func responseTooLarge() async throws {
    let limit = 64 * 1024
    try await withTestServer(configure: { $0.maxFrameSize = limit }) { server in
      try await withTestClient(port: server.port) { client in
        // Call ids stay below 128 here, so a message frame has 10 bytes of overhead.
        let fits = try await client.call(TestService.big, TestService.bigRequest(message: limit - 10))
        #expect(fits.count == limit - 10)

        let message = await client.callError(TestService.big, TestService.bigRequest(message: limit - 9))
        #expect(message?.code == .resourceExhausted)
        #expect(message?.message.contains("more than the limit of \(limit) bytes") == true)

        let headers = await client.callError(
          TestService.big, TestService.bigRequest(message: 1, headers: limit))
        #expect(headers?.code == .resourceExhausted)
        #expect(headers?.message.hasPrefix("response metadata needs a frame of") == true)

        let trailers = await client.callError(
          TestService.big, TestService.bigRequest(message: 1, trailers: limit))
        #expect(trailers?.code == .resourceExhausted)
        #expect(trailers?.message.contains("with its message and trailers needs a frame") == true)

        #expect(try await client.call(TestService.echo, [4]) == [4], "the connection survives")
      }
    }
  }

  @Test("a request larger than the server's frame limit fails locally with RESOURCE_EXHAUSTED")
  func requestTooLarge() async throws {
    let limit = 64 * 1024
    try await withTestServer(configure: { $0.maxFrameSize = limit }) { server in
      try await withTestClient(port: server.port) { client in
        let tooLarge = await client.callError(TestService.echo, [UInt8](repeating: 1, count: limit - 9))
        #expect(tooLarge?.code == .resourceExhausted)
        #expect(tooLarge?.message.contains("server's limit of \(limit) bytes") == true)
        let fits = try await client.call(TestService.echo, [UInt8](repeating: 1, count: limit - 10))
        #expect(fits.count == limit - 10, "the connection survives")
      }
    }
  }

  // MARK: Raw protocol violations and refusals

  @Test("garbage instead of the preface gets GoAway INTERNAL naming the preface")
  func garbagePreface() async throws {
    try await withTestServer { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
      #expect(await raw.waitForClose())
      #expect(raw.frames.count == 1)
      #expect(raw.goAways.first?.code == 13)
      #expect(raw.goAways.first?.lastCallID == 0)
      #expect(raw.goAways.first?.reason.contains("\"VOLWIRE\"") == true)
    }
  }

  @Test("a preface with version 2 gets GoAway UNIMPLEMENTED")
  func unsupportedVersion() async throws {
    try await withTestServer { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(ConnectionPreface.magic + [2])
      #expect(await raw.waitForClose())
      #expect(raw.goAways.map(\.code) == [12])
      #expect(
        raw.goAways.first?.reason
          == "protocol version 2 is not supported; this server speaks version 1")
    }
  }

  @Test("a 4 GiB length prefix gets GoAway RESOURCE_EXHAUSTED before any body is sent")
  func hugeLengthPrefix() async throws {
    try await withTestServer { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(ConnectionPreface.bytes + [0xFF, 0xFF, 0xFF, 0xFF])
      #expect(await raw.waitForClose())
      if case .settings(let settings) = raw.frames.first?.kind {
        #expect(settings.maxFrameSize == 4 * 1024 * 1024)
      } else {
        Issue.record("the first frame must be Settings: \(raw.frames)")
      }
      #expect(raw.goAways.map(\.code) == [8])
      #expect(raw.goAways.first?.reason == "frame of 4294967295 bytes exceeds the limit of 4194304 bytes")
    }
  }

  @Test(
    "protocol violations get GoAway INTERNAL and a close",
    arguments: [
      ("message for a call never opened", 0, "frame for call 3, which was never opened"),
      ("cancel above the highest id", 2, "frame for call 5, which was never opened"),
      ("call id not increasing", 2, "call id 1 not increasing"),
      ("call frame with call id 0", 0, "half_close frame with call id 0"),
      ("connection frame with a call id", 0, "ping frame with call id 4"),
      ("settings from the client", 0, "a client may not send settings frames"),
      ("status from the client", 2, "a client may not send status frames"),
    ] as [(String, UInt32, String)])
  func protocolViolation(name: String, lastCallID: UInt32, reason: String) async throws {
    try await withTestServer { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(ConnectionPreface.bytes)
      let sleep = RawClient.path(TestService.sleep)
      switch name {
      case "message for a call never opened":
        try await raw.send(RawClient.message(3, [1]))
      case "cancel above the highest id":
        try await raw.send(RawClient.open(2, sleep), .call(5, .cancel(.init())))
      case "call id not increasing":
        try await raw.send(RawClient.open(2, sleep), RawClient.open(1, sleep))
      case "call frame with call id 0":
        try await raw.send(RawClient.halfClose(0))
      case "connection frame with a call id":
        try await raw.send(RawClient.ping(1, callID: 4))
      case "settings from the client":
        try await raw.send(.connection(.settings(.init())))
      default:
        try await raw.send(RawClient.open(2, sleep), .call(2, .status(.init())))
      }
      #expect(await raw.waitForClose())
      #expect(raw.goAways.map(\.code) == [13])
      #expect(raw.goAways.first?.lastCallID == lastCallID)
      #expect(raw.goAways.first?.reason.contains(reason) == true, "\(raw.goAways)")
    }
  }

  @Test("frames for ended or skipped calls are ignored; the connection stays up")
  func lateFramesIgnored() async throws {
    try await withTestServer { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      let echo = RawClient.path(TestService.echo)
      try await raw.send(ConnectionPreface.bytes)
      try await raw.send(RawClient.open(3, echo), RawClient.message(3, [9]), RawClient.halfClose(3))
      #expect(await raw.waitForFrame { $0.callID == 3 && { if case .status = $0.kind { true } else { false } }($0) } != nil)
      // Late frames for call 3 (ended) and 2 (skipped), then a new call.
      try await raw.send(
        RawClient.message(3, [1]), .call(3, .cancel(.init())), RawClient.halfClose(2),
        RawClient.open(4, echo), RawClient.message(4, [8]), RawClient.halfClose(4))
      #expect(await raw.waitForFrame { $0.callID == 4 && { if case .status = $0.kind { true } else { false } }($0) } != nil)
      #expect(raw.statuses[3]?.code == 0)
      #expect(raw.statuses[4]?.code == 0)
      #expect(raw.goAways.isEmpty)
      #expect(!raw.isClosed)
    }
  }

  @Test("an invalid metadata key ends the call with INVALID_ARGUMENT")
  func invalidMetadataKey() async throws {
    try await withTestServer { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(ConnectionPreface.bytes)
      try await raw.send(
        RawClient.open(1, RawClient.path(TestService.echo), metadata: [("Bad Key", "x")]),
        RawClient.open(2, RawClient.path(TestService.echo), metadata: [("x-text", "caf\u{E9}")]))
      #expect(await waitUntil { raw.statuses.count == 2 })
      #expect(raw.statuses[1]?.code == 3)
      #expect(raw.statuses[1]?.message.contains("invalid metadata key \"Bad Key\"") == true)
      #expect(raw.statuses[2]?.code == 3)
      #expect(raw.statuses[2]?.message.contains("printable ASCII") == true)
    }
  }

  @Test("the server ends a call with DEADLINE_EXCEEDED when its grpc-timeout expires")
  func serverSideDeadline() async throws {
    let probe = Probe()
    try await withTestServer(service: TestService(probe: probe)) { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(ConnectionPreface.bytes)
      let start = ContinuousClock.now
      try await raw.send(
        RawClient.open(1, RawClient.path(TestService.sleep), metadata: [("grpc-timeout", "300m")]),
        RawClient.message(1, []), RawClient.halfClose(1))
      #expect(await waitUntil { raw.statuses[1] != nil })
      let elapsed = ContinuousClock.now - start
      #expect(elapsed >= .milliseconds(290) && elapsed < .seconds(2), "\(elapsed)")
      #expect(raw.statuses[1]?.code == 4)
      #expect(raw.statuses[1]?.message.contains("grpc-timeout") == true)
      #expect(await waitUntil { probe.read { $0.sleepSawCancellation == 1 } })
      #expect(raw.statuses.count == 1, "exactly one status")
    }
  }

  @Test("an invalid grpc-timeout ends the call with INVALID_ARGUMENT (and cannot crash GRPCCore)")
  func invalidTimeout() async throws {
    try await withTestServer { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      let echo = RawClient.path(TestService.echo)
      try await raw.send(ConnectionPreface.bytes)
      let values = ["-1S", "+5S", "5", "S", "123456789S", "5s", "1.5S", " 5S"]
      for (index, value) in values.enumerated() {
        let id = UInt32(index + 1)
        try await raw.send(
          RawClient.open(id, echo, metadata: [("grpc-timeout", value)]), RawClient.message(id, [1]),
          RawClient.halfClose(id))
      }
      #expect(await waitUntil { raw.statuses.count == values.count })
      for (index, value) in values.enumerated() {
        let status = raw.statuses[UInt32(index + 1)]
        #expect(status?.code == 3, "grpc-timeout \"\(value)\": \(String(describing: status))")
        #expect(status?.message.contains("grpc-timeout") == true)
      }
      // Valid ones, including 8 digits and every unit.
      let valid = ["99999999H", "1H", "2M", "12345678S", "50000m", "90000000u"]
      for (index, value) in valid.enumerated() {
        let id = UInt32(100 + index)
        try await raw.send(
          RawClient.open(id, echo, metadata: [("grpc-timeout", value)]), RawClient.message(id, [2]),
          RawClient.halfClose(id))
      }
      #expect(await waitUntil { raw.statuses.count == values.count + valid.count })
      for (index, value) in valid.enumerated() {
        let status = raw.statuses[UInt32(100 + index)]
        #expect(status?.code == 0, "grpc-timeout \"\(value)\": \(String(describing: status))")
      }
    }
  }

  @Test("a method path that is not /package.Service/Method gets UNIMPLEMENTED from the transport")
  func malformedMethodPath() async throws {
    try await withTestServer { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      try await raw.send(ConnectionPreface.bytes)
      try await raw.send(RawClient.open(1, "no-slashes"), RawClient.open(2, "/test.Test/Nope"))
      #expect(await waitUntil { raw.statuses.count == 2 })
      #expect(raw.statuses[1]?.code == 12)
      #expect(raw.statuses[1]?.message.contains("is not of the form /package.Service/Method") == true)
      #expect(raw.statuses[2]?.code == 12)
      #expect(raw.statuses[2]?.message == "Requested RPC isn't implemented by this server.")
    }
  }

  @Test("an Open beyond the server's concurrency limit gets RESOURCE_EXHAUSTED")
  func concurrencyLimitRefusal() async throws {
    let probe = Probe()
    try await withTestServer(
      service: TestService(probe: probe), configure: { $0.maxConcurrentCallsPerConnection = 2 }
    ) { server in
      let raw = try await RawClient.connect(port: server.port)
      defer { Task { [raw] in await raw.close() } }
      let hold = RawClient.path(TestService.hold)
      try await raw.send(ConnectionPreface.bytes)
      for id: UInt32 in 1...3 {
        try await raw.send(RawClient.open(id, hold), RawClient.message(id, [UInt8(id)]), RawClient.halfClose(id))
      }
      #expect(await waitUntil { raw.statuses[3] != nil })
      #expect(raw.statuses[3]?.code == 8)
      #expect(raw.statuses[3]?.message.contains("the limit is 2") == true)
      probe.update { $0.holdReleased = true }
      #expect(await waitUntil { raw.statuses.count == 3 })
      #expect(raw.statuses[1]?.code == 0)
      #expect(raw.statuses[2]?.code == 0)
      // A slot is free again.
      try await raw.send(RawClient.open(4, hold), RawClient.message(4, [4]), RawClient.halfClose(4))
      #expect(await waitUntil { raw.statuses[4] != nil })
      #expect(raw.statuses[4]?.code == 0)
    }
  }
}
