import NIOCore

/// Connection handlers that feed per-call inbound sequences and pause reading the socket
/// while a call's consumer falls behind.
protocol InboundPartsConsumerObserver: AnyObject, SendableMetatype {
  /// The consumer of the call with this key drained its buffer below the low watermark.
  func inboundDemand(callKey: UInt64)
  /// The consumer of the call with this key went away; further parts are dropped.
  func inboundTerminated(callKey: UInt64)
}

/// Relays a call's inbound backpressure signals to its connection handler on the event loop.
struct InboundPartsDelegate<Handler: InboundPartsConsumerObserver>: NIOAsyncSequenceProducerDelegate {
  let connection: NIOLoopBound<Handler>
  /// The handler's key for the call (the server's call id, the client's local id).
  let callKey: UInt64

  func produceMore() {
    let connection = self.connection
    let callKey = self.callKey
    connection.eventLoop.execute { connection.value.inboundDemand(callKey: callKey) }
  }

  func didTerminate() {
    let connection = self.connection
    let callKey = self.callKey
    connection.eventLoop.execute { connection.value.inboundTerminated(callKey: callKey) }
  }
}

/// The backpressure of every call's inbound parts: a few messages may wait per call before
/// the connection stops reading.
enum InboundBackpressure {
  static var strategy: NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark {
    .init(lowWatermark: 2, highWatermark: 8)
  }
}

/// Counts calls whose consumers fell behind and holds back socket reads while any has.
///
/// Shared by the server and client connection handlers: the same `read` interception
/// NIO's `BackPressureHandler` does, keyed by call rather than by writability.
struct ReadGate {
  private var pausedCalls = 0
  private var readPending = false

  /// A call's consumer fell behind.
  mutating func pause() { self.pausedCalls += 1 }

  /// A call's consumer caught up; returns `true` when a held read must be issued now.
  mutating func resume() -> Bool {
    self.pausedCalls -= 1
    if self.pausedCalls == 0, self.readPending {
      self.readPending = false
      return true
    }
    return false
  }

  /// The channel wants to read; returns `true` when it may.
  mutating func shouldRead() -> Bool {
    if self.pausedCalls > 0 {
      self.readPending = true
      return false
    }
    return true
  }
}
