import GRPCCore
import NIOCore

/// Writes one call's response parts to its connection.
///
/// Each write returns once the frame is handed to the channel *and* the channel is
/// writable, so a handler streaming to a client that stops reading suspends instead of
/// buffering without bound.
struct ServerCallWriter: ClosableRPCWriterProtocol {
  typealias Element = RPCResponsePart<[UInt8]>

  let connection: NIOLoopBound<ServerConnectionHandler>
  let callID: UInt32

  func write(_ element: Element) async throws {
    let connection = self.connection
    let callID = self.callID
    try await connection.eventLoop.flatSubmit {
      connection.value.writeResponsePart(
        element, callID: callID, eventLoop: connection.eventLoop)
    }.get()
  }

  func write(contentsOf elements: some Sequence<Element>) async throws {
    for element in elements {
      try await self.write(element)
    }
  }

  func finish() async {
    let connection = self.connection
    let callID = self.callID
    connection.eventLoop.execute { connection.value.responseFinished(callID: callID, error: nil) }
  }

  func finish(throwing error: any Error) async {
    let connection = self.connection
    let callID = self.callID
    connection.eventLoop.execute {
      connection.value.responseFinished(callID: callID, error: error)
    }
  }
}
