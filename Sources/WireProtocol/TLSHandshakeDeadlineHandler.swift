import NIOCore
import NIOTLS

/// Closes a connection whose TLS handshake has not completed within a deadline, then gets
/// out of the way.
///
/// For transports that have no handshake timer of their own (grpc-swift-nio-transport's
/// HTTP/2 server): without one, TCP connections that never finish TLS accumulate without
/// bound. Add it right after the TLS handler so it sees the handshake event first-hand.
public final class TLSHandshakeDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
  public typealias InboundIn = NIOAny
  public typealias InboundOut = NIOAny

  private let timeout: TimeAmount
  private var deadline: Scheduled<Void>?

  /// - Parameter timeout: how long after the handler is added the handshake may take.
  public init(timeout: TimeAmount) {
    self.timeout = timeout
  }

  public func handlerAdded(context: ChannelHandlerContext) {
    let channel = context.channel
    self.deadline = context.eventLoop.scheduleTask(in: self.timeout) {
      channel.close(promise: nil)
    }
  }

  public func handlerRemoved(context: ChannelHandlerContext) {
    self.deadline?.cancel()
    self.deadline = nil
  }

  public func channelInactive(context: ChannelHandlerContext) {
    self.deadline?.cancel()
    self.deadline = nil
    context.fireChannelInactive()
  }

  public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if case .handshakeCompleted = event as? TLSUserEvent {
      self.deadline?.cancel()
      self.deadline = nil
      context.fireUserInboundEventTriggered(event)
      context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
      return
    }
    context.fireUserInboundEventTriggered(event)
  }
}
