import GRPCCore
import NIOCore

/// Writes one call's request parts to its client connection: the metadata opens the call,
/// each message is one frame, `finish()` half-closes and `finish(throwing:)` cancels.
struct ClientCallWriter: ClosableRPCWriterProtocol {
  typealias Element = RPCRequestPart<[UInt8]>

  let connection: NIOLoopBound<ClientConnectionHandler>
  let localID: UInt64

  func write(_ element: Element) async throws {
    let connection = self.connection
    let localID = self.localID
    try await connection.eventLoop.flatSubmit {
      connection.value.writeRequestPart(element, localID: localID, eventLoop: connection.eventLoop)
    }.get()
  }

  func write(contentsOf elements: some Sequence<Element>) async throws {
    for element in elements {
      try await self.write(element)
    }
  }

  func finish() async {
    let connection = self.connection
    let localID = self.localID
    connection.eventLoop.execute { connection.value.finishRequest(localID: localID, failed: false) }
  }

  func finish(throwing error: any Error) async {
    let connection = self.connection
    let localID = self.localID
    connection.eventLoop.execute { connection.value.finishRequest(localID: localID, failed: true) }
  }
}
