import Foundation
import GRPCCore
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// A call accepted on a connection, on its way to the transport's `listen` loop.
struct AcceptedCall: Sendable {
  var stream: RPCStream<WireServerTransport.Inbound, WireServerTransport.Outbound>
  var cancellation: CallCancellation
  var remotePeer: String
  var localPeer: String
  var identity: PeerIdentity?
}

/// Serves one wire-protocol connection: demultiplexes frames into calls for GRPCCore,
/// writes their responses back, and carries out the decisions of its
/// ``ServerConnectionStateMachine`` (limits, keepalive, idle and handshake timeouts,
/// graceful shutdown).
///
/// Sits after the TLS handler and a `ByteToMessageHandler(FrameDecoder)`. Everything here
/// runs on the channel's event loop; call writers and inbound consumers reach it through
/// `NIOLoopBound`.
final class ServerConnectionHandler: ChannelDuplexHandler, InboundPartsConsumerObserver {
  typealias InboundIn = FrameDecoder.Output
  typealias OutboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  /// Limits and timers of a connection, and the settings announced to the client.
  struct Configuration {
    var stateMachine: ServerConnectionStateMachine.Configuration
    var maxMetadataSize: Int
    /// The largest frame the server sends (the `max_frame_size` it announces).
    var maxFrameSize: Int
    /// How long a closing connection may take to flush its last frames (a peer that stopped
    /// reading never lets them through) before its TCP connection is closed regardless.
    var closeTimeout: TimeAmount = .seconds(5)
    var settings: Volunteer_Wire_V1_Settings
    /// The descriptors the server registered, by path.
    var methodsByPath: [String: MethodDescriptor] = [:]
    /// Revoked serials and per-principal connection counts, shared by the transport's
    /// connections.
    var admission = ConnectionAdmission()
  }

  private typealias InboundProducer = NIOThrowingAsyncSequenceProducer<
    RPCRequestPart<[UInt8]>, any Error,
    NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark,
    InboundPartsDelegate<ServerConnectionHandler>
  >

  /// A call between its `Open` and the status that ends it.
  private final class Call {
    let source: InboundProducer.Source
    let cancellation: CallCancellation
    var readPaused = false
    /// Ends the call when its `grpc-timeout` expires.
    var deadline: Scheduled<Void>?
    /// When the call's `grpc-timeout` expires, and the status that reports it.
    var expiry: (at: NIODeadline, status: RPCError)?

    init(source: InboundProducer.Source, cancellation: CallCancellation) {
      self.source = source
      self.cancellation = cancellation
    }
  }

  private let configuration: Configuration
  private let acceptedCalls: AsyncStream<AcceptedCall>.Continuation
  private let logger: Logger
  private let now: @Sendable () -> NIODeadline
  private var stateMachine: ServerConnectionStateMachine
  private var calls: [UInt32: Call] = [:]
  private var context: ChannelHandlerContext?
  private var identity: PeerIdentity?
  private var readGate = ReadGate()
  /// Reads are held while the outbound buffer is above its high-water mark.
  private var readsPausedForWrites = false
  private var writabilityWaiters: [EventLoopPromise<Void>] = []
  private var tickTask: RepeatedTask?
  private var forcedClose: Scheduled<Void>?
  private var isClosing = false
  private var tlsHandshakeCompleted = false
  private var remotePeer = "unknown"
  private var localPeer = "unknown"

  /// - Parameters:
  ///   - acceptedCalls: receives every call this connection accepts; finished when the
  ///     connection closes.
  ///   - now: the clock, replaceable in tests.
  init(
    configuration: Configuration,
    acceptedCalls: AsyncStream<AcceptedCall>.Continuation,
    logger: Logger,
    now: @escaping @Sendable () -> NIODeadline = { .now() }
  ) {
    self.configuration = configuration
    self.acceptedCalls = acceptedCalls
    self.logger = logger
    self.now = now
    self.stateMachine = ServerConnectionStateMachine(
      configuration: configuration.stateMachine, now: now())
  }

  // MARK: Channel events

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    self.remotePeer = Self.describe(context.channel.remoteAddress)
    self.localPeer = Self.describe(context.channel.localAddress)
    let interval = Self.tickInterval(for: self.configuration.stateMachine)
    let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
    self.tickTask = context.eventLoop.scheduleRepeatedTask(
      initialDelay: interval, delay: interval
    ) { _ in
      connection.value.tick()
    }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.tearDown()
    self.context = nil
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.tearDown()
    context.fireChannelInactive()
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if case .handshakeCompleted = event as? TLSUserEvent {
      self.tlsHandshakeCompleted = true
      do {
        guard let certificate = try context.pipeline.syncOperations.nioSSL_peerCertificate() else {
          throw WireProtocolError(
            code: .unauthenticatedPeer, message: "no client certificate was presented")
        }
        let identity = try PeerIdentity(certificate: certificate)
        switch self.configuration.admission.admit(identity) {
        case nil:
          self.identity = identity
        case .revoked(let serial)?:
          throw WireProtocolError(
            code: .unauthenticatedPeer,
            message: "client certificate serial \(serial) is revoked; ask for a new certificate")
        case .tooManyConnections(let principal, let limit)?:
          throw WireProtocolError(
            code: .tooManyConnections,
            message: "\(principal) already holds \(limit) connections, the most allowed; "
              + "multiplex calls over the open ones or close some")
        }
      } catch let error as WireProtocolError {
        self.goAwayAndClose(code: error.statusCode, reason: error.message)
      } catch {
        self.goAwayAndClose(code: .unauthenticated, reason: "client certificate unusable: \(error)")
      }
    }
    context.fireUserInboundEventTriggered(event)
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if let error = error as? WireProtocolError {
      self.logger.debug(
        "closing connection after protocol error",
        metadata: ["peer": "\(self.remotePeer)", "error": "\(error)"])
      self.goAwayAndClose(code: error.statusCode, reason: error.message)
    } else {
      self.logger.debug(
        "closing connection after error",
        metadata: ["peer": "\(self.remotePeer)", "error": "\(error)"])
      self.isClosing = true
      context.close(promise: nil)
    }
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable {
      let waiters = self.writabilityWaiters
      self.writabilityWaiters.removeAll()
      for waiter in waiters { waiter.succeed() }
      if self.readsPausedForWrites {
        self.readsPausedForWrites = false
        if self.readGate.resume() { context.read() }
      }
    } else if !self.readsPausedForWrites {
      // A client that sends calls but does not read their responses would otherwise make
      // the server queue responses without bound: stop reading its requests until the
      // responses drain. Its keepalive Pongs go unread too, so a client that never reads
      // is closed by the keepalive timeout.
      self.readsPausedForWrites = true
      self.readGate.pause()
    }
    context.fireChannelWritabilityChanged()
  }

  func read(context: ChannelHandlerContext) {
    if self.readGate.shouldRead() { context.read() }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !self.isClosing else { return }
    switch self.unwrapInboundIn(data) {
    case .preface:
      self.stateMachine.prefaceReceived(now: self.now())
      self.writeFrame(.connection(.settings(self.configuration.settings)))
    case .frame(let frame):
      let isKeepalive: Bool
      switch frame.kind {
      case .ping, .pong: isKeepalive = true
      default: isKeepalive = false
      }
      self.stateMachine.frameReceived(now: self.now(), isActivity: !isKeepalive)
      self.handle(frame)
    case .oversizedOpen(let callID, let openSize):
      self.stateMachine.frameReceived(now: self.now(), isActivity: true)
      self.open(callID: callID, .oversized(openSize))
    }
  }

  /// An Open frame as the decoder delivered it.
  private enum OpenRequest {
    case decoded(Volunteer_Wire_V1_Open)
    /// Too large for metadata within the limit; left undecoded (``FrameDecoder/Output``).
    case oversized(Int)
  }

  // MARK: Frames

  private func handle(_ frame: Volunteer_Wire_V1_Frame) {
    let callID = frame.callID
    let kindName = Self.kindName(frame.kind)
    switch frame.kind {
    case .open(let open):
      self.open(callID: callID, .decoded(open))
    case .message, .halfClose, .cancel:
      if let violation = self.stateMachine.checkCallFrame(id: callID, kind: kindName) {
        return self.goAwayAndClose(code: .internalError, reason: violation)
      }
      switch frame.kind {
      case .message(let message):
        guard let call = self.calls[callID] else { return }  // ended calls race with late frames
        let result = call.source.yield(.message(Array(message.data)))
        if result == .stopProducing, !call.readPaused {
          call.readPaused = true
          self.readGate.pause()
        }
      case .halfClose:
        self.calls[callID]?.source.finish()
      default:
        self.cancel(callID: callID)
      }
    case .ping, .pong, .goaway:
      guard callID == 0 else {
        return self.goAwayAndClose(
          code: .internalError,
          reason: "malformed frame: \(kindName) frame with call id \(callID); connection frames "
            + "use call id 0")
      }
      if case .ping(let ping) = frame.kind {
        var pong = Volunteer_Wire_V1_Pong()
        pong.opaque = ping.opaque
        self.writeFrame(.connection(.pong(pong)))
      }
      // Liveness was recorded; a pong needs nothing more, and a client's goaway only means
      // it opens no more calls.
    case .settings, .headers, .status, .none:
      self.goAwayAndClose(
        code: .internalError,
        reason: "protocol error: a client may not send \(kindName) frames")
    }
  }

  private func open(callID: UInt32, _ request: OpenRequest) {
    guard callID != 0 else {
      return self.goAwayAndClose(
        code: .internalError,
        reason: "malformed frame: open frame with call id 0; call frames need a non-zero call id")
    }
    switch self.stateMachine.openCall(id: callID, now: self.now()) {
    case .protocolViolation(let reason):
      self.goAwayAndClose(code: .internalError, reason: reason)
    case .refuse(let code, let message):
      self.writeStatus(callID: callID, code: code, message: message)
    case .accept:
      let open: Volunteer_Wire_V1_Open
      switch request {
      case .decoded(let decoded):
        open = decoded
      case .oversized(let size):
        self.writeStatus(
          callID: callID, code: .resourceExhausted,
          message: "metadata exceeds the limit of \(self.configuration.maxMetadataSize) bytes "
            + "(the open frame carries \(size) bytes)")
        return self.endCall(callID)
      }
      let metadata: Metadata
      do {
        metadata = try Metadata(
          wireEntries: open.metadata, limit: self.configuration.maxMetadataSize)
      } catch {
        self.writeStatus(callID: callID, code: Status.Code(error.code), message: error.message)
        return self.endCall(callID)
      }
      guard
        let descriptor = self.configuration.methodsByPath[open.method]
          ?? MethodDescriptor(path: open.method)
      else {
        self.writeStatus(
          callID: callID, code: .unimplemented,
          message: "method path \"\(open.method)\" is not of the form /package.Service/Method")
        return self.endCall(callID)
      }
      guard let context = self.context else { return }
      let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
      let inbound = InboundProducer.makeSequence(
        backPressureStrategy: InboundBackpressure.strategy,
        finishOnDeinit: true,
        delegate: InboundPartsDelegate(connection: connection, callKey: UInt64(callID))
      )
      let call = Call(source: inbound.source, cancellation: CallCancellation())
      self.calls[callID] = call
      if let timeout = metadata.wireTimeout, let delay = TimeAmount(exactly: timeout) {
        let expired = RPCError(
          code: .deadlineExceeded,
          message: "the deadline of \(timeout) (grpc-timeout) expired before the call ended")
        call.expiry = (self.now() + delay, expired)
        call.deadline = context.eventLoop.scheduleTask(in: delay) {
          connection.value.endCallEarly(callID, expired)
        }
      }
      _ = call.source.yield(.metadata(metadata))
      let stream = RPCStream(
        descriptor: descriptor,
        inbound: RPCAsyncSequence(wrapping: inbound.sequence),
        outbound: RPCWriter.Closable(
          wrapping: ServerCallWriter(connection: connection, callID: callID))
      )
      self.acceptedCalls.yield(
        AcceptedCall(
          stream: stream, cancellation: call.cancellation, remotePeer: self.remotePeer,
          localPeer: self.localPeer, identity: self.identity))
    }
  }

  private func cancel(callID: UInt32) {
    self.endCallEarly(callID, RPCError(code: .cancelled, message: "the client cancelled the call"))
  }

  /// Ends a call before its handler did (client cancel, deadline, response too large):
  /// cancels the handler, fails its inbound messages and sends `error` as the call's status.
  /// Does nothing if the call already ended.
  private func endCallEarly(_ callID: UInt32, _ error: RPCError) {
    guard let call = self.removeCall(callID) else { return }
    call.cancellation.cancel()
    call.source.finish(error)
    self.resumeIfPaused(call)
    self.writeStatus(callID: callID, code: Status.Code(error.code), message: error.message)
    self.endCall(callID)
  }

  /// Forgets a call, stopping its deadline timer.
  private func removeCall(_ callID: UInt32) -> Call? {
    guard let call = self.calls.removeValue(forKey: callID) else { return nil }
    call.deadline?.cancel()
    return call
  }

  // MARK: Called by writers and consumers

  /// Writes one response part; the future completes when the channel can take more.
  func writeResponsePart(
    _ part: RPCResponsePart<[UInt8]>, callID: UInt32, eventLoop: any EventLoop
  ) -> EventLoopFuture<Void> {
    guard let context = self.context else {
      return eventLoop.makeFailedFuture(
        RPCError(code: .unavailable, message: "the connection is closed"))
    }
    guard self.calls[callID] != nil, !self.isClosing else {
      return context.eventLoop.makeFailedFuture(
        RPCError(code: .cancelled, message: "the call already ended"))
    }
    switch part {
    case .metadata(let metadata):
      var headers = Volunteer_Wire_V1_Headers()
      headers.metadata = metadata.wireEntries
      if let tooLarge = self.writeFrame(.call(callID, .headers(headers))) {
        return self.failCall(
          callID,
          RPCError(
            code: .resourceExhausted,
            message: "response metadata needs a frame of \(tooLarge.size) bytes, more than the "
              + "limit of \(tooLarge.limit) bytes"),
          eventLoop: context.eventLoop)
      }
    case .message(let bytes):
      var message = Volunteer_Wire_V1_Message()
      message.data = .init(bytes)
      if let tooLarge = self.writeFrame(.call(callID, .message(message))) {
        return self.failCall(
          callID,
          RPCError(
            code: .resourceExhausted,
            message: "response message of \(bytes.count) bytes needs a frame of \(tooLarge.size) "
              + "bytes, more than the limit of \(tooLarge.limit) bytes"),
          eventLoop: context.eventLoop)
      }
    case .status(var status, let trailers):
      if let call = self.removeCall(callID) {
        call.source.finish()
        self.resumeIfPaused(call)
        // GRPCCore runs its own timer on the same grpc-timeout and cancels the handler, whose
        // failure (often CANCELLED) can reach us before our timer fires: a call that fails
        // once its deadline has passed failed because of it.
        if status.code != .ok, let expiry = call.expiry, self.now() >= expiry.at {
          status = Status(code: .deadlineExceeded, message: expiry.status.message)
        }
      }
      self.writeStatus(
        callID: callID, code: status.code, message: status.message, trailers: trailers)
      self.endCall(callID)
    }
    if context.channel.isWritable {
      return context.eventLoop.makeSucceededVoidFuture()
    }
    let promise = context.eventLoop.makePromise(of: Void.self)
    self.writabilityWaiters.append(promise)
    return promise.futureResult
  }

  /// Ends a call the server cannot continue (a response part too large to send): cancels its
  /// handler, sends `error` as its status and fails the handler's write with it.
  private func failCall(
    _ callID: UInt32, _ error: RPCError, eventLoop: any EventLoop
  ) -> EventLoopFuture<Void> {
    self.endCallEarly(callID, error)
    return eventLoop.makeFailedFuture(error)
  }

  /// The handler's writer closed. A call that never wrote its status ends with one here.
  func responseFinished(callID: UInt32, error: (any Error)?) {
    guard let call = self.removeCall(callID) else { return }
    call.source.finish()
    self.resumeIfPaused(call)
    let rpcError = error as? RPCError
    self.writeStatus(
      callID: callID, code: rpcError.map { Status.Code($0.code) } ?? .unknown,
      message: rpcError?.message ?? "the handler ended without a status")
    self.endCall(callID)
  }

  func inboundDemand(callKey: UInt64) {
    guard let call = self.calls[UInt32(truncatingIfNeeded: callKey)] else { return }
    self.resumeIfPaused(call)
  }

  func inboundTerminated(callKey: UInt64) {
    self.inboundDemand(callKey: callKey)
  }

  /// Sends a `GoAway`, refuses new calls, and closes once open calls end (or the grace
  /// period runs out).
  func beginGracefulShutdown() {
    guard !self.isClosing,
      let (lastCallID, closeNow) = self.stateMachine.beginGracefulShutdown(now: self.now())
    else { return }
    guard self.tlsHandshakeCompleted else {
      // Still in the TLS handshake: nothing can be sent yet, and no call can be open.
      self.isClosing = true
      return self.closeTransport()
    }
    var goAway = Volunteer_Wire_V1_GoAway()
    goAway.lastCallID = lastCallID
    goAway.code = UInt32(Status.Code.ok.rawValue)
    goAway.reason = "server shutting down"
    self.writeFrame(.connection(.goaway(goAway)))
    if closeNow { self.closeAfterPendingWrites() }
  }

  // MARK: Helpers

  private func tick() {
    guard !self.isClosing else { return }
    switch self.stateMachine.tick(now: self.now()) {
    case .none:
      break
    case .sendPing(let opaque):
      var ping = Volunteer_Wire_V1_Ping()
      ping.opaque = opaque
      self.writeFrame(.connection(.ping(ping)))
    case .close(let code, let reason):
      self.goAwayAndClose(code: code, reason: reason)
    case .cancelCallsAndClose:
      for (callID, call) in self.calls {
        call.deadline?.cancel()
        call.cancellation.cancel()
        self.writeStatus(
          callID: callID, code: .unavailable,
          message: "server shut down before the call finished")
      }
      self.calls.removeAll()
      self.closeAfterPendingWrites()
    }
  }

  private func resumeIfPaused(_ call: Call) {
    guard call.readPaused else { return }
    call.readPaused = false
    if self.readGate.resume() { self.context?.read() }
  }

  private func endCall(_ callID: UInt32) {
    if self.stateMachine.callEnded(id: callID, now: self.now()) {
      self.closeAfterPendingWrites()
    }
  }

  private func writeStatus(
    callID: UInt32, code: Status.Code, message: String, trailers: Metadata = [:]
  ) {
    var status = Volunteer_Wire_V1_Status()
    status.code = UInt32(code.rawValue)
    status.message = message
    status.trailers = trailers.wireEntries
    if let tooLarge = self.writeFrame(.call(callID, .status(status))) {
      // Never send a frame over the announced limit: replace the status by a short one.
      var replacement = Volunteer_Wire_V1_Status()
      replacement.code = UInt32(Status.Code.resourceExhausted.rawValue)
      replacement.message =
        "the call's status (code \(code.rawValue)) with its message and trailers needs a frame "
        + "of \(tooLarge.size) bytes, more than the limit of \(tooLarge.limit) bytes"
      self.writeFrame(.call(callID, .status(replacement)))
    }
  }

  private func goAwayAndClose(code: Status.Code, reason: String) {
    guard !self.isClosing else { return }
    guard self.tlsHandshakeCompleted else {
      // Nothing can be sent before TLS is up (e.g. the handshake timed out): just close.
      self.isClosing = true
      return self.closeTransport()
    }
    var goAway = Volunteer_Wire_V1_GoAway()
    goAway.lastCallID = self.stateMachine.highestCallID
    goAway.code = UInt32(code.rawValue)
    goAway.reason = reason
    self.writeFrame(.connection(.goaway(goAway)))
    self.closeAfterPendingWrites()
  }

  /// Flushes what is queued, then closes. A peer that stopped reading never lets the last
  /// frames through, so after `closeTimeout` the TCP connection is closed regardless.
  private func closeAfterPendingWrites() {
    guard let context = self.context, !self.isClosing else { return }
    self.isClosing = true
    let channel = context.channel
    let promise = context.eventLoop.makePromise(of: Void.self)
    context.writeAndFlush(self.wrapOutboundOut(channel.allocator.buffer(capacity: 0)), promise: promise)
    promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
    let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
    self.forcedClose = context.eventLoop.scheduleTask(in: self.configuration.closeTimeout) {
      connection.value.closeTransport()
    }
  }

  /// Closes the TCP connection at once, skipping the TLS close_notify exchange (which would
  /// wait for a peer that may never answer).
  private func closeTransport() {
    guard let context = self.context else { return }
    let channel = context.channel
    if let tls = try? channel.pipeline.syncOperations.context(handlerType: NIOSSLServerHandler.self) {
      tls.close(promise: nil)  // starts below the TLS handler
    } else {
      channel.close(promise: nil)
    }
  }

  /// Writes a frame, or returns why not when it is larger than the frame size limit.
  @discardableResult
  private func writeFrame(_ frame: Volunteer_Wire_V1_Frame) -> FrameTooLargeError? {
    guard let context = self.context else { return nil }
    do {
      let bytes = try frame.encodedWithLengthPrefix(
        allocator: context.channel.allocator, maxFrameSize: self.configuration.maxFrameSize)
      context.writeAndFlush(self.wrapOutboundOut(bytes), promise: nil)
    } catch let error as FrameTooLargeError {
      return error
    } catch {
      self.logger.error("could not encode a frame", metadata: ["error": "\(error)"])
      context.close(promise: nil)
    }
    return nil
  }

  private func tearDown() {
    if let identity = self.identity {
      self.identity = nil
      self.configuration.admission.release(identity)
    }
    self.stateMachine.closed()
    self.tickTask?.cancel()
    self.tickTask = nil
    self.forcedClose?.cancel()
    self.forcedClose = nil
    let calls = self.calls
    self.calls.removeAll()
    for call in calls.values {
      call.deadline?.cancel()
      call.cancellation.cancel()
      call.source.finish(
        RPCError(code: .unavailable, message: "the connection closed before the call ended"))
    }
    let waiters = self.writabilityWaiters
    self.writabilityWaiters.removeAll()
    for waiter in waiters {
      waiter.fail(RPCError(code: .unavailable, message: "the connection closed"))
    }
    self.acceptedCalls.finish()
  }

  static func tickInterval(for configuration: ServerConnectionStateMachine.Configuration)
    -> TimeAmount
  {
    let timers = [
      configuration.keepaliveInterval, configuration.idleTimeout,
      configuration.handshakeTimeout, configuration.gracePeriod, configuration.keepaliveTimeout,
    ].compactMap { $0 }
    let shortest = timers.min() ?? .seconds(1)
    return min(max(.nanoseconds(shortest.nanoseconds / 4), .milliseconds(5)), .seconds(1))
  }

  private static func describe(_ address: SocketAddress?) -> String {
    switch address {
    case .v4(let v4): "ipv4:\(v4.host):\(address?.port ?? 0)"
    case .v6(let v6): "ipv6:[\(v6.host)]:\(address?.port ?? 0)"
    case .unixDomainSocket: "unix:\(address?.pathname ?? "")"
    case .none: "unknown"
    }
  }

  static func kindName(_ kind: Volunteer_Wire_V1_Frame.OneOf_Kind?) -> String {
    switch kind {
    case .settings: "settings"
    case .open: "open"
    case .message: "message"
    case .halfClose: "half_close"
    case .headers: "headers"
    case .status: "status"
    case .cancel: "cancel"
    case .ping: "ping"
    case .pong: "pong"
    case .goaway: "goaway"
    case .none: "empty"
    }
  }
}

extension MethodDescriptor {
  /// Parses a gRPC method path, `/package.Service/Method`.
  init?(path: String) {
    guard path.first == "/" else { return nil }
    let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
    self.init(fullyQualifiedService: String(parts[0]), method: String(parts[1]))
  }
}
