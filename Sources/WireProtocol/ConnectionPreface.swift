/// The bytes a client sends right after the TLS handshake, before its first frame.
///
/// The preface lets the server refuse a peer that speaks something else (HTTP, a port
/// scanner, an older client) with a clear error before it interprets a single length
/// prefix, so no allocation is ever sized by a stranger's bytes.
public enum ConnectionPreface {
  /// ASCII "VOLWIRE".
  public static let magic: [UInt8] = Array("VOLWIRE".utf8)

  /// The protocol version this implementation speaks.
  public static let protocolVersion: UInt8 = 1

  /// The complete preface: the magic followed by the version byte.
  public static let bytes: [UInt8] = magic + [protocolVersion]

  /// The ALPN protocol name clients offer during the TLS handshake.
  public static let alpnProtocol = "vrs/1"
}
