import Foundation
import GRPCCore
import NIOCore
import Testing
import WireProtocol

@testable import VolunteerService

#if canImport(Glibc)
import Glibc
#endif

@Suite("Metrics, health and request ids")
struct MetricsTests {
  @Test("calls are counted by method and code, timed, and answered with their request id")
  func callMetrics() async throws {
    try await withRunningServer(configure: { $0.metricsPort = 0 }) { server, _ in
      let port = try #require(try await server.transport.listeningAddress.port)
      let metadata: Metadata = [MetricsInterceptor.requestIDKey: "partner-trace-42"]
      let echoed = try await withClient(port: port, certificate: "admin") { client in
        try await Volunteer_V1_Health.Client(wrapping: client).check(.init(), metadata: metadata) { response in
          response.metadata[stringValues: MetricsInterceptor.requestIDKey].first(where: { _ in true })
        }
      }
      #expect(echoed == "partner-trace-42")
      // Refused by authentication (the partner is not registered): counted and tagged too.
      let refusal = try await withClient(port: port, certificate: "partner") { client in
        do {
          _ = try await Volunteer_V1_Health.Client(wrapping: client).check(.init())
          return nil as RPCError?
        } catch let error as RPCError {
          return error
        }
      }
      let error = try #require(refusal)
      #expect(error.code == .unauthenticated)
      let generated = try #require(error.metadata[stringValues: MetricsInterceptor.requestIDKey].first(where: { _ in true }))
      #expect(generated.count == 16 && generated.allSatisfy(\.isHexDigit))

      let text = String(decoding: server.metrics.exposition(), as: UTF8.self)
      #expect(Self.value(in: text, of: "volunteer_rpc_calls_total", labels: ["code=\"OK\"", "method=\"volunteer.v1.Health/Check\""]) == 1)
      #expect(Self.value(in: text, of: "volunteer_rpc_calls_total", labels: ["code=\"UNAUTHENTICATED\""]) == 1)
      #expect(Self.value(in: text, of: "volunteer_rpc_call_duration_seconds_count", labels: ["method=\"volunteer.v1.Health/Check\""]) == 2)
      // Bootstrap wrote through the group-commit writer.
      #expect((Self.value(in: text, of: "volunteer_store_commit_batch_size_count", labels: []) ?? 0) >= 1)
      #expect(text.contains("volunteer_store_commit_duration_seconds_bucket"))

      // Over HTTP: the same text, the connection gauge sampled at scrape time, and health.
      let address = try #require(server.metricsAddress?.port)
      let scrape = try await Self.offPool { try Self.httpGet(port: address, path: "/metrics") }
      #expect(scrape.hasPrefix("HTTP/1.0 200 OK") || scrape.hasPrefix("HTTP/1.1 200 OK"), "\(scrape.prefix(80))")
      #expect(scrape.contains("text/plain; version=0.0.4"))
      #expect(scrape.contains("volunteer_wire_connections"))
      #expect(scrape.contains("volunteer_rpc_calls_total"))
      let health = try await Self.offPool { try Self.httpGet(port: address, path: "/health") }
      #expect(health.contains(" 200 ") && health.hasSuffix("serving\n"), "\(health)")
      let missing = try await Self.offPool { try Self.httpGet(port: address, path: "/volunteers") }
      #expect(missing.contains(" 404 "), "\(missing.prefix(80))")
      let post = try await Self.offPool { try Self.httpGet(port: address, path: "/metrics", method: "POST") }
      #expect(post.contains(" 405 "), "\(post.prefix(80))")
    }
  }

  @Test("a client's request id is used only when it is 1-64 printable characters")
  func requestIDs() {
    #expect(MetricsInterceptor.requestID(from: ["x-request-id": "abc"]) == "abc")
    let long = String(repeating: "a", count: 65)
    #expect(MetricsInterceptor.requestID(from: ["x-request-id": .string(long)]) != long)
    #expect(MetricsInterceptor.requestID(from: ["x-request-id": "a b"]) != "a b")
    #expect(MetricsInterceptor.requestID(from: [:]).count == 16)
    #expect(MetricsInterceptor.name(of: nil) == "OK")
    #expect(MetricsInterceptor.name(of: .resourceExhausted) == "RESOURCE_EXHAUSTED")
  }

  @Test("configuration: a metrics port equal to the wire port and an unknown log format are refused")
  func configuration() {
    var configuration = ServiceConfiguration()
    configuration.metricsPort = configuration.port
    #expect(throws: ConfigurationError.self) { try configuration.validate() }
    configuration.metricsPort = 9464
    configuration.logFormat = "xml"
    #expect(throws: ConfigurationError.self) { try configuration.validate() }
  }

  /// The value of the first sample of `name` whose labels include all of `labels`.
  static func value(in text: String, of name: String, labels: [String]) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
      guard labels.allSatisfy({ line.contains($0) }), let value = line.split(separator: " ").last else { continue }
      return Double(value)
    }
    return nil
  }

  @Test("a keep-alive scraper does not hold the shutdown open", .timeLimit(.minutes(1)))
  func keepAliveConnectionClosedAtShutdown() async throws {
    var held: Int32 = -1
    var shutdownStarted = ContinuousClock.now
    try await withRunningServer(configure: { $0.metricsPort = 0 }) { server, _ in
      let port = try #require(server.metricsAddress?.port)
      let fd = try Self.connect(port: port)
      held = fd
      let response = try await Self.offPool { () -> [UInt8] in
        let request = Array("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: response, as: UTF8.self).hasSuffix("serving\n") {
          let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
          guard count > 0 else { break }
          response += buffer[0..<count]
        }
        return response
      }
      #expect(String(decoding: response, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
      // Leaving the closure shuts the server down with this connection still open.
      shutdownStarted = .now
    }
    // Not held until the endpoint's 30 s idle timeout closes the connection: closed at once.
    #expect(ContinuousClock.now - shutdownStarted < .seconds(10))
    // The server closed it: reading gives end of file.
    var byte: UInt8 = 0
    #expect(recv(held, &byte, 1, 0) == 0)
    close(held)
  }

  /// Runs blocking socket I/O on a thread of its own: on the cooperative pool (two threads
  /// here) it could starve the server under test, whose replies need that pool.
  static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      Thread { continuation.resume(with: Result { try body() }) }.start()
    }
  }

  /// A blocking HTTP/1.0 request on loopback; returns the whole response.
  static func httpGet(port: Int, path: String, method: String = "GET") throws -> String {
    let fd = try Self.connect(port: port)
    defer { close(fd) }
    let request = Array("\(method) \(path) HTTP/1.0\r\nHost: localhost\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if count <= 0 { break }
      response += buffer[0..<count]
    }
    return String(decoding: response, as: UTF8.self)
  }

  /// A TCP connection to 127.0.0.1:`port`.
  static func connect(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      close(fd)
      throw POSIXError(.ECONNREFUSED)
    }
    return fd
  }
}
