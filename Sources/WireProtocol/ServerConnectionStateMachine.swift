import GRPCCore
import NIOCore

/// The connection-level decisions of a server connection, kept free of I/O so they can be
/// tested with a manual clock: which calls may open, when to ping, when a silent, idle or
/// unresponsive connection is closed, and how a graceful shutdown drains.
///
/// ``ServerConnectionHandler`` feeds it events with the current time and carries out the
/// actions it returns.
struct ServerConnectionStateMachine {
  /// The limits and timers of one connection.
  struct Configuration {
    var maxConcurrentCalls: Int
    /// Ping after this much inbound silence; `nil` never pings.
    var keepaliveInterval: TimeAmount?
    /// Close when a ping goes unanswered this long.
    var keepaliveTimeout: TimeAmount
    /// Close a connection with no open call after this much silence; `nil` never.
    var idleTimeout: TimeAmount?
    /// Close when the TLS handshake and preface are not done this long after accept.
    var handshakeTimeout: TimeAmount
    /// How long open calls may run after a graceful shutdown began.
    var gracePeriod: TimeAmount
  }

  /// Whether a call may open.
  enum OpenDecision: Equatable {
    case accept
    /// End this call at once with a status; the connection stays up.
    case refuse(Status.Code, String)
    /// The peer broke the protocol: close the connection.
    case protocolViolation(String)
  }

  /// What a timer tick asks for.
  enum TickAction: Equatable {
    case none
    case sendPing(opaque: UInt64)
    /// Send a `GoAway` with this code and reason, then close.
    case close(code: Status.Code, reason: String)
    /// The grace period ran out: cancel every open call, then close.
    case cancelCallsAndClose
  }

  private enum Phase: Equatable {
    case awaitingPreface(since: NIODeadline)
    case active
    case draining(since: NIODeadline)
    case closed
  }

  let configuration: Configuration
  private var phase: Phase
  private(set) var openCalls: Set<UInt32> = []
  /// The highest call id accepted so far: the `last_call_id` of a `GoAway`.
  private(set) var highestCallID: UInt32 = 0
  /// When the last frame of any kind arrived: liveness, for keepalive.
  private var lastInboundFrame: NIODeadline
  /// When the last frame other than a ping or pong arrived: activity, for the idle timeout.
  private var lastActivity: NIODeadline
  /// When the connection last became free of open calls; `nil` while calls are open.
  private var idleSince: NIODeadline?
  private var pingSentAt: NIODeadline?
  private var nextPingOpaque: UInt64 = 1

  init(configuration: Configuration, now: NIODeadline) {
    self.configuration = configuration
    self.phase = .awaitingPreface(since: now)
    self.lastInboundFrame = now
    self.lastActivity = now
    self.idleSince = now
  }

  /// `true` once a graceful shutdown began or the connection closed.
  var isDraining: Bool {
    switch self.phase {
    case .draining, .closed: true
    case .awaitingPreface, .active: false
    }
  }

  /// The preface arrived: the connection is established.
  mutating func prefaceReceived(now: NIODeadline) {
    if case .awaitingPreface = self.phase { self.phase = .active }
    self.frameReceived(now: now)
  }

  /// Any inbound frame proves the peer alive. Only frames that are `isActivity` (all but ping
  /// and pong) keep the connection from being idle, so keepalive traffic alone cannot hold an
  /// idle connection open.
  mutating func frameReceived(now: NIODeadline, isActivity: Bool = true) {
    self.lastInboundFrame = now
    self.pingSentAt = nil
    if isActivity { self.lastActivity = now }
  }

  /// Checks that a message, half-close or cancel frame addresses a call id that was opened
  /// (or refused) before. Returns the reason of the protocol violation, or `nil` if the
  /// frame may be delivered (or ignored, for a call that already ended).
  func checkCallFrame(id: UInt32, kind: String) -> String? {
    if id == 0 {
      return "malformed frame: \(kind) frame with call id 0; call frames need a non-zero call id"
    }
    if id > self.highestCallID {
      return "protocol error: \(kind) frame for call \(id), which was never opened"
    }
    return nil
  }

  /// The peer asks to open call `id`.
  mutating func openCall(id: UInt32, now: NIODeadline) -> OpenDecision {
    guard id > self.highestCallID else {
      return .protocolViolation(
        "protocol error: call id \(id) not increasing (the previous call id was "
          + "\(self.highestCallID)); call ids must be non-zero and strictly increasing"
      )
    }
    self.highestCallID = id
    switch self.phase {
    case .draining, .closed:
      return .refuse(.unavailable, "server is shutting down; retry on a new connection")
    case .awaitingPreface, .active:
      break
    }
    guard self.openCalls.count < self.configuration.maxConcurrentCalls else {
      return .refuse(
        .resourceExhausted,
        "too many concurrent calls on this connection: the limit is "
          + "\(self.configuration.maxConcurrentCalls)"
      )
    }
    self.openCalls.insert(id)
    self.idleSince = nil
    return .accept
  }

  /// Call `id` ended (its status was sent). Returns `true` when the connection should now
  /// close: it is draining and this was its last call.
  mutating func callEnded(id: UInt32, now: NIODeadline) -> Bool {
    guard self.openCalls.remove(id) != nil else { return false }
    if self.openCalls.isEmpty { self.idleSince = now }
    if case .draining = self.phase, self.openCalls.isEmpty { return true }
    return false
  }

  /// Begins a graceful shutdown. Returns the `last_call_id` to announce in a `GoAway` and
  /// whether the connection can close right away, or `nil` if already draining.
  mutating func beginGracefulShutdown(now: NIODeadline) -> (lastCallID: UInt32, closeNow: Bool)? {
    switch self.phase {
    case .draining, .closed:
      return nil
    case .awaitingPreface, .active:
      self.phase = .draining(since: now)
      return (self.highestCallID, self.openCalls.isEmpty)
    }
  }

  /// The connection is gone; nothing more will happen.
  mutating func closed() {
    self.phase = .closed
    self.openCalls.removeAll()
  }

  /// Decides what the timers ask for at `now`.
  mutating func tick(now: NIODeadline) -> TickAction {
    let config = self.configuration
    switch self.phase {
    case .closed:
      return .none
    case .awaitingPreface(let since):
      if now - since >= config.handshakeTimeout {
        return .close(
          code: .unavailable,
          reason: "TLS handshake and connection preface not completed within "
            + "\(config.handshakeTimeout.milliseconds) ms"
        )
      }
      return .none
    case .draining(let since):
      if now - since >= config.gracePeriod, !self.openCalls.isEmpty {
        return .cancelCallsAndClose
      }
    case .active:
      break
    }

    if let pingSentAt = self.pingSentAt, now - pingSentAt >= config.keepaliveTimeout {
      return .close(
        code: .unavailable,
        reason: "keepalive ping not answered within \(config.keepaliveTimeout.milliseconds) ms"
      )
    }
    // Closing an idle connection beats pinging it.
    if let idleTimeout = config.idleTimeout, self.openCalls.isEmpty, let idleSince = self.idleSince,
      now - max(idleSince, self.lastActivity) >= idleTimeout
    {
      return .close(code: .ok, reason: "idle timeout")
    }
    if self.pingSentAt == nil, let interval = config.keepaliveInterval,
      now - self.lastInboundFrame >= interval
    {
      self.pingSentAt = now
      defer { self.nextPingOpaque &+= 1 }
      return .sendPing(opaque: self.nextPingOpaque)
    }
    return .none
  }
}

extension TimeAmount {
  var milliseconds: Int64 { self.nanoseconds / 1_000_000 }

  /// `duration`, or `nil` when it does not fit in 64-bit nanoseconds (about 292 years).
  init?(exactly duration: Duration) {
    let (seconds, attoseconds) = duration.components
    let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    let (total, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
    guard !overflow, !overflow2 else { return nil }
    self = .nanoseconds(total)
  }
}
