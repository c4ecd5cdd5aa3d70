import Foundation
import GRPCCore
import NIOCore
import NIOSSL

/// A call that a connection refused before starting it because the connection takes no new
/// calls (it received `GoAway`, used every call id, or closed): it can go to a new connection.
struct ConnectionNotAcceptingCalls: Error {
  var reason: RPCError
}

/// A call reserved on a client connection: its local id and its response parts.
struct ReservedCall: Sendable {
  var localID: UInt64
  var inbound: RPCAsyncSequence<RPCResponsePart<[UInt8]>, any Error>
}

/// Drives one client connection: sends the preface, learns the server's limits from its
/// settings, opens calls within the announced concurrency limit (queuing the rest),
/// routes response frames to their calls and cancels calls the caller abandons.
///
/// Runs on the channel's event loop; the transport and call writers reach it through
/// `NIOLoopBound`.
final class ClientConnectionHandler: ChannelDuplexHandler, InboundPartsConsumerObserver {
  typealias InboundIn = FrameDecoder.Output
  typealias OutboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  private typealias InboundProducer = NIOThrowingAsyncSequenceProducer<
    RPCResponsePart<[UInt8]>, any Error,
    NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark,
    InboundPartsDelegate<ClientConnectionHandler>
  >

  private final class Call {
    let path: String
    let source: InboundProducer.Source
    var callID: UInt32 = 0
    var headersReceived = false
    var ended = false
    var readPaused = false

    init(path: String, source: InboundProducer.Source) {
      self.path = path
      self.source = source
    }
  }

  /// Completes when the server's settings arrived; fails if the connection closes first.
  let ready: EventLoopPromise<Void>
  /// Completes when the connection takes no new calls: the server sent `GoAway`, or it closed.
  let goingAway: EventLoopPromise<Void>
  /// Completes when the connection has closed.
  let closed: EventLoopPromise<Void>

  private var context: ChannelHandlerContext?
  private var calls: [UInt64: Call] = [:]
  private var localIDsByCallID: [UInt32: UInt64] = [:]
  private var nextLocalID: UInt64 = 0
  private var nextCallID: UInt32
  /// Every call id was used: the connection takes no new calls.
  private var callIDsExhausted = false
  private var reservedSlots = 0
  private var slotWaiters: [EventLoopPromise<Void>] = []
  private var writabilityWaiters: [EventLoopPromise<Void>] = []
  private var readGate = ReadGate()
  private var settings = Volunteer_Wire_V1_Settings.defaults
  private var isGoingAway = false
  private var isClosed = false
  private var closeReason: RPCError?

  /// - Parameter firstCallID: the id of the first call (tests start near the end).
  init(eventLoop: any EventLoop, firstCallID: UInt32 = 1) {
    self.nextCallID = firstCallID
    self.ready = eventLoop.makePromise()
    self.goingAway = eventLoop.makePromise()
    self.closed = eventLoop.makePromise()
  }

  // MARK: Channel events

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
  }

  func channelActive(context: ChannelHandlerContext) {
    // NIOSSL holds this until the handshake completes.
    var preface = context.channel.allocator.buffer(capacity: ConnectionPreface.bytes.count)
    preface.writeBytes(ConnectionPreface.bytes)
    context.writeAndFlush(self.wrapOutboundOut(preface), promise: nil)
    context.fireChannelActive()
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.tearDown()
    context.fireChannelInactive()
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.tearDown()
    self.context = nil
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if self.closeReason == nil {
      switch error {
      case let error as WireProtocolError:
        // The server broke the protocol (e.g. a frame over the client's limit).
        self.closeReason = RPCError(
          code: .internalError, message: "protocol error from the server: \(error)")
      case let error as NIOSSLError:
        self.closeReason = RPCError(code: .unavailable, message: "TLS failed: \(error)")
      case let error as BoringSSLError:
        self.closeReason = RPCError(code: .unavailable, message: "TLS failed: \(error)")
      default:
        self.closeReason = RPCError(code: .unavailable, message: "connection failed: \(error)")
      }
    }
    context.close(promise: nil)
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable {
      let waiters = self.writabilityWaiters
      self.writabilityWaiters.removeAll()
      for waiter in waiters { waiter.succeed() }
    }
    context.fireChannelWritabilityChanged()
  }

  func read(context: ChannelHandlerContext) {
    if self.readGate.shouldRead() { context.read() }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard case .frame(let frame) = self.unwrapInboundIn(data) else { return }
    switch frame.kind {
    case .settings(var settings):
      // 0 cannot be told from "unset" in proto3: it means the default.
      let defaults = Volunteer_Wire_V1_Settings.defaults
      if settings.maxFrameSize == 0 { settings.maxFrameSize = defaults.maxFrameSize }
      if settings.maxConcurrentCalls == 0 { settings.maxConcurrentCalls = defaults.maxConcurrentCalls }
      if settings.maxMetadataSize == 0 { settings.maxMetadataSize = defaults.maxMetadataSize }
      self.settings = settings
      self.ready.succeed()
      self.grantSlots()
    case .headers(let headers):
      guard let call = self.call(forCallID: frame.callID), !call.headersReceived else { return }
      do {
        let metadata = try Metadata(wireEntries: headers.metadata, limit: .max)
        call.headersReceived = true
        self.yield(.metadata(metadata), to: call)
      } catch {
        self.end(call, error: error)
      }
    case .message(let message):
      guard let call = self.call(forCallID: frame.callID) else { return }
      if !call.headersReceived {
        call.headersReceived = true
        self.yield(.metadata([:]), to: call)
      }
      self.yield(.message(Array(message.data)), to: call)
    case .status(let status):
      guard let call = self.call(forCallID: frame.callID) else { return }
      let trailers = (try? Metadata(wireEntries: status.trailers, limit: .max)) ?? [:]
      let code = Status.Code(rawValue: Int(status.code)) ?? .unknown
      self.yield(.status(Status(code: code, message: status.message), trailers), to: call)
      self.end(call, error: nil)
    case .ping(let ping):
      var pong = Volunteer_Wire_V1_Pong()
      pong.opaque = ping.opaque
      self.writeFrame(.connection(.pong(pong)))
    case .goaway(let goAway):
      self.receivedGoAway(goAway)
    case .pong:
      break
    case .open, .halfClose, .cancel, .none:
      self.closeReason = RPCError(
        code: .internalError,
        message: "protocol error from the server: it sent a "
          + "\(ServerConnectionHandler.kindName(frame.kind)) frame, which only clients may send")
      context.close(promise: nil)
    }
  }

  // MARK: Called by the transport and call writers

  /// Reserves a call slot, waiting while the server's concurrency limit is reached.
  func reserveCall(path: String, eventLoop: any EventLoop) -> EventLoopFuture<ReservedCall> {
    if let refusal = self.refusalForNewCalls() {
      return eventLoop.makeFailedFuture(ConnectionNotAcceptingCalls(reason: refusal))
    }
    let slot: EventLoopFuture<Void>
    if self.reservedSlots < Int(self.settings.maxConcurrentCalls) {
      self.reservedSlots += 1
      slot = eventLoop.makeSucceededVoidFuture()
    } else {
      let waiter = eventLoop.makePromise(of: Void.self)
      self.slotWaiters.append(waiter)
      slot = waiter.futureResult
    }
    let connection = NIOLoopBound(self, eventLoop: eventLoop)
    return slot.map {
      connection.value.makeCall(path: path, connection: connection)
    }
  }

  private func makeCall(path: String, connection: NIOLoopBound<ClientConnectionHandler>)
    -> ReservedCall
  {
    let localID = self.nextLocalID
    self.nextLocalID += 1
    let inbound = InboundProducer.makeSequence(
      backPressureStrategy: InboundBackpressure.strategy,
      finishOnDeinit: true,
      delegate: InboundPartsDelegate(connection: connection, callKey: localID)
    )
    self.calls[localID] = Call(path: path, source: inbound.source)
    return ReservedCall(localID: localID, inbound: RPCAsyncSequence(wrapping: inbound.sequence))
  }

  /// Writes one request part of call `localID`.
  func writeRequestPart(
    _ part: RPCRequestPart<[UInt8]>, localID: UInt64, eventLoop: any EventLoop
  ) -> EventLoopFuture<Void> {
    guard let context = self.context, let call = self.calls[localID], !call.ended else {
      return eventLoop.makeFailedFuture(
        self.closeReason ?? RPCError(code: .cancelled, message: "the call already ended"))
    }
    switch part {
    case .metadata(let metadata):
      guard call.callID == 0 else {
        return eventLoop.makeFailedFuture(
          RPCError(code: .internalError, message: "request metadata sent twice"))
      }
      guard !self.callIDsExhausted else {
        let error = RPCError(
          code: .unavailable,
          message: "the connection used every call id; the call was not started, retry it")
        self.end(call, error: error)
        return eventLoop.makeFailedFuture(error)
      }
      var open = Volunteer_Wire_V1_Open()
      open.method = call.path
      open.metadata = metadata.wireEntries
      if let tooLarge = self.writeFrame(.call(self.nextCallID, .open(open))) {
        return self.failLocally(
          call,
          RPCError(
            code: .resourceExhausted,
            message: "request metadata needs a frame of \(tooLarge.size) bytes, more than the "
              + "server's limit of \(tooLarge.limit) bytes"),
          eventLoop: eventLoop)
      }
      call.callID = self.nextCallID
      if self.nextCallID == .max {
        // No id left: new calls go to a new connection; this one closes once drained.
        self.callIDsExhausted = true
        self.isGoingAway = true
        self.failSlotWaiters()
        self.goingAway.succeed()
      } else {
        self.nextCallID += 1
      }
      self.localIDsByCallID[call.callID] = localID
    case .message(let bytes):
      guard call.callID != 0 else {
        return eventLoop.makeFailedFuture(
          RPCError(code: .internalError, message: "request message sent before metadata"))
      }
      var message = Volunteer_Wire_V1_Message()
      message.data = .init(bytes)
      if let tooLarge = self.writeFrame(.call(call.callID, .message(message))) {
        return self.failLocally(
          call,
          RPCError(
            code: .resourceExhausted,
            message: "request message of \(bytes.count) bytes needs a frame of "
              + "\(tooLarge.size) bytes, more than the server's limit of \(tooLarge.limit) bytes"),
          eventLoop: eventLoop)
      }
    }
    if context.channel.isWritable { return eventLoop.makeSucceededVoidFuture() }
    let promise = eventLoop.makePromise(of: Void.self)
    self.writabilityWaiters.append(promise)
    return promise.futureResult
  }

  /// Ends a call that cannot be sent (a frame over the server's limit) with `error`, cancelling
  /// it on the server if it was opened there.
  private func failLocally(
    _ call: Call, _ error: RPCError, eventLoop: any EventLoop
  ) -> EventLoopFuture<Void> {
    if call.callID != 0 { self.writeFrame(.call(call.callID, .cancel(.init()))) }
    self.end(call, error: error)
    return eventLoop.makeFailedFuture(error)
  }

  /// The caller finished sending: half-close, or cancel when it failed.
  func finishRequest(localID: UInt64, failed: Bool) {
    guard let call = self.calls[localID], !call.ended, call.callID != 0 else { return }
    if failed {
      self.writeFrame(.call(call.callID, .cancel(.init())))
      self.end(call, error: RPCError(code: .cancelled, message: "the call was cancelled"))
    } else {
      self.writeFrame(.call(call.callID, .halfClose(.init())))
    }
  }

  /// The caller is done with call `localID`: cancel it if still running, free its slot.
  func release(localID: UInt64) {
    guard let call = self.calls.removeValue(forKey: localID) else { return }
    if !call.ended {
      if call.callID != 0 { self.writeFrame(.call(call.callID, .cancel(.init()))) }
      self.end(call, error: RPCError(code: .cancelled, message: "the call was cancelled"))
    }
    self.reservedSlots -= 1
    self.grantSlots()
  }

  /// Closes the connection now; its calls fail with `reason`.
  func abort(_ reason: RPCError) {
    if self.closeReason == nil { self.closeReason = reason }
    self.context?.close(promise: nil)
  }

  /// Stops opening calls on this connection; closes it once the open calls end.
  func beginGracefulShutdown() {
    self.isGoingAway = true
    self.failSlotWaiters()
    self.closeIfDrained()
  }

  func inboundDemand(callKey: UInt64) {
    self.resume(localID: callKey)
  }

  func inboundTerminated(callKey: UInt64) {
    self.resume(localID: callKey)
  }

  // MARK: Helpers

  private func call(forCallID callID: UInt32) -> Call? {
    self.localIDsByCallID[callID].flatMap { self.calls[$0] }
  }

  private func yield(_ part: RPCResponsePart<[UInt8]>, to call: Call) {
    guard !call.ended else { return }
    if call.source.yield(part) == .stopProducing, !call.readPaused {
      call.readPaused = true
      self.readGate.pause()
    }
  }

  private func resume(localID: UInt64) {
    guard let call = self.calls[localID], call.readPaused else { return }
    call.readPaused = false
    if self.readGate.resume() { self.context?.read() }
  }

  private func end(_ call: Call, error: (any Error)?) {
    guard !call.ended else { return }
    call.ended = true
    if let error { call.source.finish(error) } else { call.source.finish() }
    if call.readPaused {
      call.readPaused = false
      if self.readGate.resume() { self.context?.read() }
    }
    self.localIDsByCallID.removeValue(forKey: call.callID)
    self.closeIfDrained()
  }

  private func receivedGoAway(_ goAway: Volunteer_Wire_V1_GoAway) {
    self.isGoingAway = true
    let code = Status.Code(rawValue: Int(goAway.code)) ?? .unknown
    if code != .ok {
      self.closeReason = RPCError(
        code: RPCError.Code(code) ?? .unavailable,
        message: "the server closed the connection: \(goAway.reason)")
    }
    for call in self.calls.values where call.callID > goAway.lastCallID {
      self.end(
        call,
        error: RPCError(
          code: .unavailable,
          message: "the server is going away and did not start this call; it is safe to retry"))
    }
    self.failSlotWaiters()
    self.goingAway.succeed()
    self.closeIfDrained()
  }

  private func refusalForNewCalls() -> RPCError? {
    if self.isClosed {
      return self.closeReason ?? RPCError(code: .unavailable, message: "the connection is closed")
    }
    if self.isGoingAway {
      return RPCError(code: .unavailable, message: "the connection is going away")
    }
    return nil
  }

  private func grantSlots() {
    while !self.slotWaiters.isEmpty, self.reservedSlots < Int(self.settings.maxConcurrentCalls) {
      self.reservedSlots += 1
      self.slotWaiters.removeFirst().succeed()
    }
  }

  private func failSlotWaiters() {
    let waiters = self.slotWaiters
    self.slotWaiters.removeAll()
    let error = self.refusalForNewCalls()
      ?? RPCError(code: .unavailable, message: "the connection is going away")
    for waiter in waiters { waiter.fail(ConnectionNotAcceptingCalls(reason: error)) }
  }

  private func closeIfDrained() {
    guard self.isGoingAway, !self.isClosed,
      self.calls.values.allSatisfy({ $0.ended || $0.callID == 0 }), let context = self.context
    else { return }
    context.close(promise: nil)
  }

  /// Writes a frame, or returns why not when it exceeds the server's maximum frame size.
  @discardableResult
  private func writeFrame(_ frame: Volunteer_Wire_V1_Frame) -> FrameTooLargeError? {
    guard let context = self.context else { return nil }
    do {
      let bytes = try frame.encodedWithLengthPrefix(
        allocator: context.channel.allocator, maxFrameSize: Int(self.settings.maxFrameSize))
      context.writeAndFlush(self.wrapOutboundOut(bytes), promise: nil)
    } catch let error as FrameTooLargeError {
      return error
    } catch {
      context.close(promise: nil)
    }
    return nil
  }

  private func tearDown() {
    guard !self.isClosed else { return }
    self.isClosed = true
    let error = self.closeReason
      ?? RPCError(code: .unavailable, message: "the connection closed before the call ended")
    for call in self.calls.values where !call.ended {
      call.ended = true
      call.source.finish(error)
    }
    self.localIDsByCallID.removeAll()
    self.failSlotWaiters()
    let waiters = self.writabilityWaiters
    self.writabilityWaiters.removeAll()
    for waiter in waiters { waiter.fail(error) }
    self.ready.fail(error)
    self.goingAway.succeed()
    self.closed.succeed()
  }
}

extension Volunteer_Wire_V1_Settings {
  /// The limits a client assumes until the server's settings arrive.
  static var defaults: Self {
    var settings = Self()
    settings.protocolVersion = UInt32(ConnectionPreface.protocolVersion)
    settings.maxFrameSize = 4 * 1024 * 1024
    settings.maxConcurrentCalls = 256
    settings.maxMetadataSize = 8 * 1024
    return settings
  }
}
