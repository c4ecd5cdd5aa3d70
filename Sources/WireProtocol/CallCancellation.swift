import GRPCCore
import Synchronization

/// Delivers a client's cancel to a call's handler, even when the cancel frame arrives before
/// the handler's cancellation handle exists (the handle is created on the handler's task,
/// the cancel is read on the event loop).
final class CallCancellation: Sendable {
  private struct State {
    var handle: ServerContext.RPCCancellationHandle?
    var isCancelled = false
  }
  private let state = Mutex(State())

  init() {}

  /// Binds the handler's handle; cancels it at once if a cancel already arrived.
  func attach(_ handle: ServerContext.RPCCancellationHandle) {
    let alreadyCancelled = self.state.withLock { state in
      state.handle = handle
      return state.isCancelled
    }
    if alreadyCancelled { handle.cancel() }
  }

  /// Cancels the call's handler now, or as soon as its handle is attached.
  func cancel() {
    let handle = self.state.withLock { state in
      state.isCancelled = true
      return state.handle
    }
    handle?.cancel()
  }
}
