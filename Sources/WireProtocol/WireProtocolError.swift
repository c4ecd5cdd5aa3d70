import GRPCCore

/// A violation of the wire protocol by the peer, or a limit it exceeded.
///
/// Each error maps to the status code sent in the `GoAway` frame that closes the
/// connection, and its description is the reason text a partner's developer reads.
public struct WireProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What went wrong. New cases may be added: switch with a `default`.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: Hashable, Sendable {
      case invalidPreface, unsupportedVersion, frameTooLarge, malformedFrame, truncatedFrame
      case protocolViolation, keepaliveTimeout, handshakeTimeout, unauthenticatedPeer
      case tooManyConnections
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// The first bytes were not the connection preface.
    public static let invalidPreface = Code(.invalidPreface)
    /// The preface named a protocol version this side does not speak.
    public static let unsupportedVersion = Code(.unsupportedVersion)
    /// A length prefix exceeded the maximum frame size.
    public static let frameTooLarge = Code(.frameTooLarge)
    /// A frame's bytes were not a valid `Frame`.
    public static let malformedFrame = Code(.malformedFrame)
    /// The connection ended in the middle of a frame.
    public static let truncatedFrame = Code(.truncatedFrame)
    /// A frame arrived that the protocol does not allow at this point.
    public static let protocolViolation = Code(.protocolViolation)
    /// The peer did not answer a keepalive ping in time.
    public static let keepaliveTimeout = Code(.keepaliveTimeout)
    /// The TLS handshake and preface did not complete in time.
    public static let handshakeTimeout = Code(.handshakeTimeout)
    /// The peer's certificate carries no usable identity.
    public static let unauthenticatedPeer = Code(.unauthenticatedPeer)
    /// The peer's principal already holds the most connections it may.
    public static let tooManyConnections = Code(.tooManyConnections)

    public var description: String { String(describing: self.wrapped) }
  }

  /// What went wrong.
  public var code: Code
  /// A message that says what the peer did and what was expected.
  public var message: String

  /// Creates an error.
  public init(code: Code, message: String) {
    self.code = code
    self.message = message
  }

  /// The gRPC status code sent in the `GoAway` frame for this error.
  public var statusCode: Status.Code {
    switch self.code {
    case .frameTooLarge, .tooManyConnections: .resourceExhausted
    case .unsupportedVersion: .unimplemented
    case .unauthenticatedPeer: .unauthenticated
    case .keepaliveTimeout, .handshakeTimeout: .unavailable
    default: .internalError
    }
  }

  public var description: String { self.message }
}
