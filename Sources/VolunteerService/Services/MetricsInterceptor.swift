import GRPCCore
import Logging
import WireProtocol

/// Measures and logs every call: a request id, the call counted by method and status code,
/// its duration from arrival to the end of its response, and one log line.
///
/// Outermost of the interceptors, so refusals by authentication and the rate limit are
/// counted too. The request id is the client's `x-request-id` when it sent a usable one
/// (1-64 printable ASCII characters), else a new random one; it is returned in the response
/// metadata (initial metadata on success, the error's metadata otherwise) so a partner can
/// quote it, and it is on every log line of the call.
public struct MetricsInterceptor: ServerInterceptor {
  /// The metadata key of the request id, both ways.
  public static let requestIDKey = "x-request-id"

  private let metrics: ServiceMetrics
  private let logger: Logger

  /// Creates the interceptor recording into `metrics` and logging to `logger` (each call at
  /// `debug`; calls ending in INTERNAL or UNKNOWN at `error`).
  public init(metrics: ServiceMetrics, logger: Logger) {
    self.metrics = metrics
    self.logger = logger
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws ->
      StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let start = ContinuousClock.now
    let method = context.descriptor.fullyQualifiedMethod
    let requestID = Self.requestID(from: request.metadata)
    let logger = {
      var logger = self.logger
      logger[metadataKey: "request-id"] = "\(requestID)"
      logger[metadataKey: "method"] = "\(method)"
      return logger
    }()
    let finish: @Sendable (RPCError.Code?, String?) -> Void = { [metrics] code, message in
      let duration = ContinuousClock.now - start
      let name = Self.name(of: code)
      metrics.recordCall(method: method, code: name, duration: duration)
      let level: Logger.Level = code == .internalError || code == .unknown ? .error : .debug
      // Built only when the level is logged (an autoclosure): the HTTP/2 port derives the
      // principal from the certificate.
      logger.log(
        level: level, "call",
        metadata: {
          var metadata: Logger.Metadata = [
            "code": "\(name)",
            "duration-ms": "\(Double(ServiceMetrics.nanoseconds(duration)) / 1e6)",
          ]
          if let principal = try? context.callerIdentity().principalID { metadata["principal"] = "\(principal)" }
          if let message { metadata["error"] = "\(message)" }
          return metadata
        }())
    }
    var response: StreamingServerResponse<Output>
    do {
      response = try await next(request, context)
    } catch {
      finish(Self.code(of: error), Self.internalDetail(of: error))
      throw Self.tagged(error, requestID: requestID)
    }
    switch response.accepted {
    case .failure(let error):
      finish(error.code, Self.internalDetail(of: error))
      var tagged = error
      tagged.metadata.replaceOrAddString(requestID, forKey: Self.requestIDKey)
      response.accepted = .failure(tagged)
    case .success(var contents):
      contents.metadata.replaceOrAddString(requestID, forKey: Self.requestIDKey)
      let producer = contents.producer
      contents.producer = { writer in
        do {
          let trailers = try await producer(writer)
          finish(nil, nil)
          return trailers
        } catch {
          finish(Self.code(of: error), Self.internalDetail(of: error))
          throw Self.tagged(error, requestID: requestID)
        }
      }
      response.accepted = .success(contents)
    }
    return response
  }

  /// The client's request id if usable, else a new one (16 hex digits).
  static func requestID(from metadata: Metadata) -> String {
    if let given = metadata[stringValues: Self.requestIDKey].first(where: { _ in true }),
      (1...64).contains(given.utf8.count), given.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
    {
      return given
    }
    let value = UInt64.random(in: .min ... .max)
    let hex = String(value, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// The status code `error` ends the call with: its own for an `RPCError` (or a type that
  /// converts to one), else UNKNOWN, as GRPCCore reports it.
  private static func code(of error: any Error) -> RPCError.Code {
    if let rpcError = error as? RPCError { return rpcError.code }
    if let convertible = error as? any RPCErrorConvertible { return RPCError(convertible).code }
    return .unknown
  }

  /// What the log line says of a failure: the detail of INTERNAL and UNKNOWN errors, which an
  /// operator needs; nothing for the others, whose messages describe the request (a refused
  /// ID number's digits among them) and are the caller's to read, not the log's.
  private static func internalDetail(of error: any Error) -> String? {
    let code = Self.code(of: error)
    guard code == .internalError || code == .unknown else { return nil }
    return (error as? RPCError)?.message ?? "\(error)"
  }

  /// `error` with the request id in its metadata when it is an `RPCError`; other errors go
  /// on unchanged, so GRPCCore reports them without their text (which may name internals).
  private static func tagged(_ error: any Error, requestID: String) -> any Error {
    guard var rpcError = error as? RPCError else { return error }
    rpcError.metadata.replaceOrAddString(requestID, forKey: Self.requestIDKey)
    return rpcError
  }

  /// The gRPC name of a status code (`OK` for `nil`), as the `code` label.
  static func name(of code: RPCError.Code?) -> String {
    code?.upperSnakeCaseName ?? "OK"
  }
}
