import Foundation
import GRPCCore
import Synchronization

@testable import WireProtocol

/// Messages are raw bytes: no protobuf needed to test the transport.
struct BytesSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}

struct BytesDeserializer: MessageDeserializer {
  func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
    serializedMessageBytes.withUnsafeBytes { Array($0) }
  }
}

/// What the test service's handlers observed, for the tests to check.
final class Probe: Sendable {
  struct State {
    var streamWritten = 0
    var streamError: String?
    var streamEnded = false
    var sleepStarted = 0
    var sleepSawCancellation = 0
    var holdStarted = 0
    var holdReleased = false
  }
  let state = Mutex(State())

  func read<T: Sendable>(_ body: (State) -> T) -> T { self.state.withLock { body($0) } }
  func update(_ body: (inout State) -> Void) { self.state.withLock { body(&$0) } }
}

/// A service with one method per transport behaviour under test (service `test.Test`).
struct TestService: RegistrableRPCService {
  static let service = "test.Test"
  static let echo = MethodDescriptor(fullyQualifiedService: service, method: "Echo")
  static let stream = MethodDescriptor(fullyQualifiedService: service, method: "Stream")
  static let count = MethodDescriptor(fullyQualifiedService: service, method: "Count")
  static let sleep = MethodDescriptor(fullyQualifiedService: service, method: "Sleep")
  static let hold = MethodDescriptor(fullyQualifiedService: service, method: "Hold")
  static let identity = MethodDescriptor(fullyQualifiedService: service, method: "Identity")
  static let big = MethodDescriptor(fullyQualifiedService: service, method: "Big")

  let probe: Probe

  init(probe: Probe = Probe()) { self.probe = probe }

  /// Request of `Stream`: how many messages of which size.
  static func streamRequest(count: Int, size: Int) -> [UInt8] {
    Self.encode([count, size])
  }

  /// Request of `Big`: a response message, response metadata and trailers of these sizes.
  static func bigRequest(message: Int, headers: Int = 0, trailers: Int = 0) -> [UInt8] {
    Self.encode([message, headers, trailers])
  }

  static func encode(_ values: [Int]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: UInt32(value).bigEndian) { Array($0) } }
  }

  static func decode(_ bytes: [UInt8]) -> [Int] {
    stride(from: 0, to: bytes.count - 3, by: 4).map { offset in
      Int(bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }
  }

  func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    let probe = self.probe
    let serializer = BytesSerializer()
    let deserializer = BytesDeserializer()

    // Unary: returns the request.
    router.registerHandler(
      forMethod: Self.echo, deserializer: deserializer, serializer: serializer
    ) { request, context in
      let single = try await ServerRequest(stream: request)
      return StreamingServerResponse(single: ServerResponse(message: single.message))
    }

    // Server streaming: `count` messages of `size` bytes; counts the writes that returned.
    router.registerHandler(
      forMethod: Self.stream, deserializer: deserializer, serializer: serializer
    ) { request, context in
      let single = try await ServerRequest(stream: request)
      let values = Self.decode(single.message)
      let (count, size) = (values[0], values[1])
      return StreamingServerResponse { writer in
        let payload = [UInt8](repeating: 0x5A, count: size)
        do {
          for _ in 0..<count {
            try await writer.write(payload)
            probe.update { $0.streamWritten += 1 }
          }
        } catch {
          probe.update { $0.streamError = "\(error)" }
          throw error
        }
        probe.update { $0.streamEnded = true }
        return [:]
      }
    }

    // Client streaming: answers "messages=N bytes=M".
    router.registerHandler(
      forMethod: Self.count, deserializer: deserializer, serializer: serializer
    ) { request, context in
      var messages = 0
      var bytes = 0
      for try await message in request.messages {
        messages += 1
        bytes += message.count
      }
      return StreamingServerResponse(
        single: ServerResponse(message: Array("messages=\(messages) bytes=\(bytes)".utf8)))
    }

    // Waits until the RPC is cancelled (client cancel, deadline, shutdown), records that.
    router.registerHandler(
      forMethod: Self.sleep, deserializer: deserializer, serializer: serializer
    ) { request, context in
      _ = try await ServerRequest(stream: request)
      probe.update { $0.sleepStarted += 1 }
      _ = try? await context.cancellation.cancelled
      if context.cancellation.isCancelled {
        probe.update { $0.sleepSawCancellation += 1 }
      }
      throw RPCError(code: .cancelled, message: "the handler saw the cancellation")
    }

    // Waits until the test releases it, then echoes.
    router.registerHandler(
      forMethod: Self.hold, deserializer: deserializer, serializer: serializer
    ) { request, context in
      let single = try await ServerRequest(stream: request)
      probe.update { $0.holdStarted += 1 }
      while !probe.read({ $0.holdReleased }) {
        try await Task.sleep(for: .milliseconds(10))
      }
      return StreamingServerResponse(single: ServerResponse(message: single.message))
    }

    // Answers with the caller's certificate identity, "principal|serial".
    router.registerHandler(
      forMethod: Self.identity, deserializer: deserializer, serializer: serializer
    ) { request, context in
      _ = try await ServerRequest(stream: request)
      let identity = context.peerIdentity
      let answer = identity.map { "\($0.principalID)|\($0.certificateSerial)" } ?? "none"
      return StreamingServerResponse(single: ServerResponse(message: Array(answer.utf8)))
    }

    // Answers with a message, response metadata and trailers of the requested sizes.
    router.registerHandler(
      forMethod: Self.big, deserializer: deserializer, serializer: serializer
    ) { request, context in
      let single = try await ServerRequest(stream: request)
      let sizes = Self.decode(single.message)
      var headers: Metadata = [:]
      if sizes[1] > 0 { headers.addString(String(repeating: "h", count: sizes[1]), forKey: "x-h") }
      var trailers: Metadata = [:]
      if sizes[2] > 0 { trailers.addString(String(repeating: "t", count: sizes[2]), forKey: "x-t") }
      return StreamingServerResponse(
        single: ServerResponse(
          message: [UInt8](repeating: 0x42, count: sizes[0]), metadata: headers,
          trailingMetadata: trailers))
    }
  }
}
