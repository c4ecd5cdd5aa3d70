import GRPCCore
import NIOCore
import Testing

@testable import WireProtocol

/// The server connection's decisions, driven by a manual clock.
@Suite("Server connection state machine")
struct ServerConnectionStateMachineTests {
  typealias Machine = ServerConnectionStateMachine

  /// A clock the test advances by hand.
  struct Clock {
    var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
    mutating func advance(_ amount: TimeAmount) -> NIODeadline {
      self.now = self.now + amount
      return self.now
    }
  }

  static func configuration(
    maxConcurrentCalls: Int = 100,
    keepaliveInterval: TimeAmount? = nil,
    keepaliveTimeout: TimeAmount = .seconds(20),
    idleTimeout: TimeAmount? = nil,
    handshakeTimeout: TimeAmount = .seconds(10),
    gracePeriod: TimeAmount = .seconds(30)
  ) -> Machine.Configuration {
    .init(
      maxConcurrentCalls: maxConcurrentCalls, keepaliveInterval: keepaliveInterval,
      keepaliveTimeout: keepaliveTimeout, idleTimeout: idleTimeout,
      handshakeTimeout: handshakeTimeout, gracePeriod: gracePeriod)
  }

  /// A machine whose client has sent its preface.
  static func established(_ configuration: Machine.Configuration, clock: Clock) -> Machine {
    var machine = Machine(configuration: configuration, now: clock.now)
    machine.prefaceReceived(now: clock.now)
    return machine
  }

  @Test("calls beyond the concurrency limit are refused until one ends")
  func concurrencyLimit() {
    let clock = Clock()
    var machine = Self.established(Self.configuration(maxConcurrentCalls: 3), clock: clock)
    for id: UInt32 in [1, 2, 3] { #expect(machine.openCall(id: id, now: clock.now) == .accept) }
    let refusal = machine.openCall(id: 4, now: clock.now)
    #expect(
      refusal
        == .refuse(
          .resourceExhausted, "too many concurrent calls on this connection: the limit is 3"))
    #expect(machine.openCalls == [1, 2, 3], "a refused call is not open")
    #expect(machine.callEnded(id: 2, now: clock.now) == false)
    #expect(machine.openCall(id: 5, now: clock.now) == .accept)
    #expect(machine.openCall(id: 6, now: clock.now) != .accept)
    #expect(machine.callEnded(id: 2, now: clock.now) == false, "ending twice is a no-op")
    #expect(machine.openCall(id: 7, now: clock.now) != .accept, "the double end freed nothing")
  }

  @Test("call ids must strictly increase, counting refused calls")
  func callIDsIncrease() {
    let clock = Clock()
    var machine = Self.established(Self.configuration(maxConcurrentCalls: 1), clock: clock)
    #expect(machine.openCall(id: 5, now: clock.now) == .accept)
    #expect(machine.highestCallID == 5)
    guard case .protocolViolation(let reason) = machine.openCall(id: 5, now: clock.now) else {
      Issue.record("a repeated id must be a protocol violation")
      return
    }
    #expect(reason.contains("call id 5 not increasing"))
    if case .protocolViolation = machine.openCall(id: 3, now: clock.now) {} else {
      Issue.record("a smaller id must be a protocol violation")
    }
    if case .refuse = machine.openCall(id: 9, now: clock.now) {} else {
      Issue.record("id 9 exceeds the limit of 1")
    }
    #expect(machine.highestCallID == 9, "a refused open still uses its id")
    if case .protocolViolation = machine.openCall(id: 8, now: clock.now) {} else {
      Issue.record("an id below a refused one must be a protocol violation")
    }
    if case .protocolViolation = machine.openCall(id: 0, now: clock.now) {} else {
      Issue.record("id 0 must be a protocol violation")
    }
  }

  @Test("frames for a call id above every opened id, or for id 0, are violations")
  func callFramesForUnopenedIDs() {
    let clock = Clock()
    var machine = Self.established(Self.configuration(maxConcurrentCalls: 1), clock: clock)
    #expect(machine.checkCallFrame(id: 1, kind: "message")?.contains("never opened") == true)
    #expect(machine.openCall(id: 4, now: clock.now) == .accept)
    #expect(machine.checkCallFrame(id: 4, kind: "message") == nil)
    #expect(machine.checkCallFrame(id: 2, kind: "cancel") == nil, "skipped ids are ignored")
    #expect(
      machine.checkCallFrame(id: 5, kind: "half_close")
        == "protocol error: half_close frame for call 5, which was never opened")
    #expect(machine.checkCallFrame(id: 0, kind: "message")?.hasPrefix("malformed frame") == true)
    _ = machine.openCall(id: 6, now: clock.now)  // refused: over the limit
    #expect(machine.checkCallFrame(id: 6, kind: "message") == nil, "a refused id was opened")
  }

  @Test("keepalive pings after inbound silence, then closes when no frame answers")
  func keepaliveUnanswered() {
    var clock = Clock()
    var machine = Self.established(
      Self.configuration(keepaliveInterval: .seconds(60), keepaliveTimeout: .seconds(20)),
      clock: clock)
    #expect(machine.tick(now: clock.advance(.seconds(59))) == .none)
    #expect(machine.tick(now: clock.advance(.seconds(1))) == .sendPing(opaque: 1))
    #expect(machine.tick(now: clock.advance(.seconds(10))) == .none, "one ping at a time")
    #expect(machine.tick(now: clock.advance(.milliseconds(9999))) == .none)
    #expect(
      machine.tick(now: clock.advance(.milliseconds(1)))
        == .close(code: .unavailable, reason: "keepalive ping not answered within 20000 ms"))
  }

  @Test("any inbound frame answers the ping and restarts the keepalive interval")
  func framesClearThePing() {
    var clock = Clock()
    var machine = Self.established(
      Self.configuration(keepaliveInterval: .seconds(60), keepaliveTimeout: .seconds(20)),
      clock: clock)
    #expect(machine.tick(now: clock.advance(.seconds(60))) == .sendPing(opaque: 1))
    machine.frameReceived(now: clock.advance(.seconds(19)), isActivity: false)  // the pong
    #expect(machine.tick(now: clock.advance(.seconds(5))) == .none)
    #expect(machine.tick(now: clock.advance(.seconds(54))) == .none)
    #expect(machine.tick(now: clock.advance(.seconds(1))) == .sendPing(opaque: 2))
    machine.frameReceived(now: clock.advance(.seconds(1)))  // any frame, e.g. a message
    #expect(machine.tick(now: clock.advance(.seconds(30))) == .none)
  }

  @Test("no pings when keepalive is off")
  func keepaliveOff() {
    var clock = Clock()
    var machine = Self.established(Self.configuration(keepaliveInterval: nil), clock: clock)
    #expect(machine.tick(now: clock.advance(.hours(10))) == .none)
  }

  @Test("the idle timeout closes a connection only while no call is open")
  func idleOnlyWithoutCalls() {
    var clock = Clock()
    var machine = Self.established(Self.configuration(idleTimeout: .seconds(300)), clock: clock)
    #expect(machine.openCall(id: 1, now: clock.advance(.seconds(100))) == .accept)
    #expect(machine.tick(now: clock.advance(.seconds(1000))) == .none, "a call is open")
    #expect(machine.callEnded(id: 1, now: clock.now) == false)
    #expect(machine.tick(now: clock.advance(.seconds(299))) == .none)
    #expect(machine.tick(now: clock.advance(.seconds(1))) == .close(code: .ok, reason: "idle timeout"))
  }

  @Test("inbound frames other than ping and pong restart the idle timer")
  func idleRestartsOnActivity() {
    var clock = Clock()
    var machine = Self.established(Self.configuration(idleTimeout: .seconds(300)), clock: clock)
    machine.frameReceived(now: clock.advance(.seconds(200)))  // e.g. a late cancel
    #expect(machine.tick(now: clock.advance(.seconds(200))) == .none)
    #expect(machine.tick(now: clock.advance(.seconds(100))) == .close(code: .ok, reason: "idle timeout"))
  }

  @Test(
    "keepalive traffic alone does not keep an idle connection open",
    arguments: [false, true])
  func pingsAreNotActivity(clientPingsToo: Bool) {
    var clock = Clock()
    let start = clock.now
    var machine = Self.established(
      Self.configuration(
        keepaliveInterval: .seconds(60), keepaliveTimeout: .seconds(20),
        idleTimeout: .seconds(300)),
      clock: clock)
    var closedAt: NIODeadline?
    var serverPings = 0
    for _ in 0..<400 {  // 400 s in 1 s steps; the client answers every ping at once
      switch machine.tick(now: clock.advance(.seconds(1))) {
      case .sendPing:
        serverPings += 1
        machine.frameReceived(now: clock.now, isActivity: false)  // the client's pong
      case .close(let code, let reason):
        #expect(code == .ok)
        #expect(reason == "idle timeout")
        closedAt = clock.now
      case .none, .cancelCallsAndClose:
        break
      }
      if closedAt != nil { break }
      if clientPingsToo {
        machine.frameReceived(now: clock.now, isActivity: false)  // a ping from the client
      }
    }
    #expect(closedAt == start + .seconds(300))
    // Pings from the client count as liveness: the server then never needs to ping.
    #expect(serverPings == (clientPingsToo ? 0 : 4))
  }

  @Test("the handshake timeout closes a connection without a preface")
  func handshakeTimeout() {
    var clock = Clock()
    var machine = Machine(
      configuration: Self.configuration(keepaliveInterval: .seconds(1), handshakeTimeout: .seconds(10)),
      now: clock.now)
    #expect(machine.tick(now: clock.advance(.seconds(9))) == .none, "no pings before the preface")
    #expect(
      machine.tick(now: clock.advance(.seconds(1)))
        == .close(
          code: .unavailable,
          reason: "TLS handshake and connection preface not completed within 10000 ms"))

    var clock2 = Clock()
    var established = Machine(
      configuration: Self.configuration(handshakeTimeout: .seconds(10)), now: clock2.now)
    established.prefaceReceived(now: clock2.advance(.seconds(9)))
    #expect(established.tick(now: clock2.advance(.seconds(100))) == .none)
  }

  @Test("graceful shutdown: last call id, refusal of new calls, close after the last call")
  func gracefulShutdown() {
    var clock = Clock()
    var machine = Self.established(Self.configuration(), clock: clock)
    #expect(machine.openCall(id: 1, now: clock.now) == .accept)
    #expect(machine.openCall(id: 3, now: clock.now) == .accept)
    let shutdown = machine.beginGracefulShutdown(now: clock.advance(.seconds(1)))
    #expect(shutdown?.lastCallID == 3)
    #expect(shutdown?.closeNow == false)
    #expect(machine.isDraining)
    #expect(machine.beginGracefulShutdown(now: clock.now) == nil, "only once")
    #expect(
      machine.openCall(id: 4, now: clock.now)
        == .refuse(.unavailable, "server is shutting down; retry on a new connection"))
    #expect(machine.callEnded(id: 1, now: clock.now) == false)
    #expect(machine.tick(now: clock.advance(.seconds(29))) == .none)
    #expect(machine.callEnded(id: 3, now: clock.now) == true, "the last call closes it")
  }

  @Test("graceful shutdown without open calls closes at once")
  func gracefulShutdownIdle() {
    let clock = Clock()
    var machine = Self.established(Self.configuration(), clock: clock)
    #expect(machine.openCall(id: 2, now: clock.now) == .accept)
    _ = machine.callEnded(id: 2, now: clock.now)
    let shutdown = machine.beginGracefulShutdown(now: clock.now)
    #expect(shutdown?.lastCallID == 2)
    #expect(shutdown?.closeNow == true)
  }

  @Test("the grace period running out cancels the open calls and closes")
  func gracePeriodExpiry() {
    var clock = Clock()
    var machine = Self.established(Self.configuration(gracePeriod: .seconds(30)), clock: clock)
    #expect(machine.openCall(id: 1, now: clock.now) == .accept)
    _ = machine.beginGracefulShutdown(now: clock.now)
    #expect(machine.tick(now: clock.advance(.milliseconds(29999))) == .none)
    #expect(machine.tick(now: clock.advance(.milliseconds(1))) == .cancelCallsAndClose)
  }

  @Test("a closed machine does nothing")
  func closedDoesNothing() {
    var clock = Clock()
    var machine = Self.established(
      Self.configuration(keepaliveInterval: .seconds(1), idleTimeout: .seconds(1)), clock: clock)
    _ = machine.openCall(id: 1, now: clock.now)
    machine.closed()
    #expect(machine.openCalls.isEmpty)
    #expect(machine.tick(now: clock.advance(.hours(1))) == .none)
    #expect(machine.beginGracefulShutdown(now: clock.now) == nil)
  }
}
