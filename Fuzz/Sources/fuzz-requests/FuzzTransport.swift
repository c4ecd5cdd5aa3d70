import Dispatch
import GRPCCore
import Synchronization

/// A `ServerTransport` that accepts calls from the fuzzer instead of a network: `GRPCServer`
/// hands it the methods it serves (``methods``) and its stream handler, which runs the router,
/// the interceptors and the handlers exactly as for a call from the wire transport.
final class FuzzTransport: ServerTransport, Sendable {
  typealias Bytes = [UInt8]
  typealias StreamHandler = @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void

  private struct State {
    var methods: [MethodDescriptor] = []
    var handler: StreamHandler?
  }
  private let state = Mutex(State())
  private let listening = DispatchSemaphore(value: 0)
  private let stop = AsyncStream<Void>.makeStream()

  /// Every method the server serves, as `GRPCServer` registered them.
  var methods: [MethodDescriptor] { self.state.withLock { $0.methods } }

  func configure(context: GRPCServerContext) {
    self.state.withLock { $0.methods = context.methods }
  }

  func listen(streamHandler: @escaping StreamHandler) async throws {
    self.state.withLock { $0.handler = streamHandler }
    self.listening.signal()
    for await _ in self.stop.stream {}
  }

  func beginGracefulShutdown() {
    self.stop.continuation.finish()
  }

  /// Blocks until the server listens, and returns its stream handler.
  func waitUntilListening() -> StreamHandler {
    self.listening.wait()
    self.listening.signal()
    return self.state.withLock { $0.handler! }
  }
}

/// Collects what a handler writes back: response metadata, messages and the status.
final class ResponseCollector: ClosableRPCWriterProtocol, Sendable {
  typealias Element = RPCResponsePart<[UInt8]>
  private let state = Mutex<(parts: [Element], finished: Int)>(([], 0))

  func write(_ element: Element) async throws {
    self.state.withLock { $0.parts.append(element) }
  }

  func write(contentsOf elements: some Sequence<Element>) async throws {
    for element in elements { try await self.write(element) }
  }

  func finish() async { self.state.withLock { $0.finished += 1 } }
  func finish(throwing error: any Error) async { self.state.withLock { $0.finished += 1 } }

  var parts: [Element] { self.state.withLock { $0.parts } }
  var finishCount: Int { self.state.withLock { $0.finished } }
}

/// Runs `body` to completion from synchronous code (libFuzzer's callback).
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
  let result = Mutex<T?>(nil)
  let done = DispatchSemaphore(value: 0)
  Task.detached {
    let value = await body()
    result.withLock { $0 = value }
    done.signal()
  }
  done.wait()
  return result.withLock { $0! }
}
