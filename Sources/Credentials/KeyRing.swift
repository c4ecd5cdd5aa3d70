import Crypto
import Foundation

/// The issuer's Ed25519 keys, kept as files in one directory outside the database.
///
/// Layout: for each key, `<kid>.key` holds the base64url 32-byte private key (mode 0600;
/// files readable by group or others are refused) and `<kid>.json` holds its public JWK with
/// lifecycle dates. A `.json` without a `.key` is a key whose private half was destroyed
/// after retirement: it stays in the published set so old credentials still verify.
///
/// Lifecycle (all times are whole seconds, UTC):
/// - ``generate(at:)`` creates a key that is *published* but may not sign.
/// - ``activate(kid:at:)`` lets it sign from `at`, retiring any other active key at `at`.
/// - ``rotate(at:activationDelay:)`` = generate + activate after `activationDelay`, so the new
///   key is in the published JWKS before the first credential it signs.
/// - ``retire(kid:at:)`` stops a key signing; it stays published.
/// - ``markCompromised(kid:at:)`` revokes a key: every credential it signed fails verification.
///
/// Not safe for concurrent writers in several processes; run key administration from one place.
public struct KeyRing: Sendable, CustomStringConvertible, CustomReflectable {
  /// One key in the ring. Its description and mirror never include the private key.
  public struct Entry: Sendable, CustomStringConvertible, CustomReflectable {
    /// Public JWK with lifecycle metadata.
    public internal(set) var jwk: PublicJWK
    /// The private half, or nil if it is not on this host.
    let privateKey: Curve25519.Signing.PrivateKey?

    /// Whether this host can sign with the key.
    public var hasPrivateKey: Bool { privateKey != nil }

    /// Redacted: kid, status and whether the private key is present.
    public var description: String {
      "KeyRing.Entry(kid: \(jwk.kid), status: \(jwk.status?.rawValue ?? "?"), privateKey: \(hasPrivateKey ? "<redacted>" : "absent"))"
    }

    /// Redacted mirror so `dump` cannot reach the private bytes.
    public var customMirror: Mirror {
      Mirror(self, children: ["jwk": jwk, "privateKey": hasPrivateKey ? "<redacted>" : "absent"])
    }
  }

  /// Redacted: directory and entries, never private keys.
  public var description: String { "KeyRing(directory: \(directory), entries: \(entries))" }

  /// Redacted mirror so `dump` cannot reach the private bytes.
  public var customMirror: Mirror { Mirror(self, children: ["directory": directory, "entries": entries]) }

  /// The directory the ring is loaded from and saved to.
  public let directory: String
  /// The keys, oldest first.
  public private(set) var entries: [Entry]

  /// Loads every key in `directory`, creating the directory (mode 0700) if missing.
  ///
  /// - Throws: ``KeyRingError/insecurePermissions(path:mode:)`` for a key file other users can
  ///   reach, ``KeyRingError/metadataMismatch(path:reason:)`` if a `.json` does not describe
  ///   its key, ``KeyRingError/malformedFile(path:reason:)`` for unreadable content.
  public static func load(from directory: String) throws(KeyRingError) -> KeyRing {
    try SecureFile.ensureDirectory(directory)
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
      throw .directoryUnavailable(path: directory, reason: "\(error)")
    }
    var entries: [Entry] = []
    for name in names.sorted() where name.hasSuffix(".json") {
      let stem = String(name.dropLast(".json".count))
      let metadataPath = directory + "/" + name
      let metadataData = try SecureFile.readOwnerOnly(metadataPath)
      let jwk: PublicJWK
      do {
        jwk = try JSONCoding.decoder().decode(PublicJWK.self, from: metadataData)
      } catch {
        throw .malformedFile(path: metadataPath, reason: "not a JWK with lifecycle metadata: \(error)")
      }
      do { _ = try jwk.verifyingKey() } catch { throw .metadataMismatch(path: metadataPath, reason: "\(error)") }
      guard jwk.kid == stem else {
        throw .metadataMismatch(path: metadataPath, reason: "file name must be the kid \(jwk.kid)")
      }
      var privateKey: Curve25519.Signing.PrivateKey?
      let keyPath = directory + "/" + stem + ".key"
      if FileManager.default.fileExists(atPath: keyPath) {
        let text = String(decoding: try SecureFile.readOwnerOnly(keyPath), as: UTF8.self)
          .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let raw = try? Base64URL.decode(text), raw.count == 32,
          let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw .malformedFile(path: keyPath, reason: "expected one line: base64url of a 32-byte Ed25519 private key") }
        guard PublicJWK(publicKey: key.publicKey).kid == jwk.kid else {
          throw .metadataMismatch(path: metadataPath, reason: "the private key in \(keyPath) has a different public key")
        }
        privateKey = key
      }
      entries.append(Entry(jwk: jwk, privateKey: privateKey))
    }
    let orphanKeys = names.filter { $0.hasSuffix(".key") && !names.contains(String($0.dropLast(4)) + ".json") }
    if let orphan = orphanKeys.first {
      throw .malformedFile(path: directory + "/" + orphan, reason: "private key without its .json metadata")
    }
    entries.sort { ($0.jwk.created ?? .distantPast, $0.jwk.kid) < ($1.jwk.created ?? .distantPast, $1.jwk.kid) }
    return KeyRing(directory: directory, entries: entries)
  }

  /// Creates a new key, published but not allowed to sign, and saves it.
  @discardableResult
  public mutating func generate(at date: Date) throws(KeyRingError) -> PublicJWK {
    let privateKey = Curve25519.Signing.PrivateKey()
    var jwk = PublicJWK(publicKey: privateKey.publicKey)
    jwk.created = JSONCoding.wholeSeconds(date)
    jwk.status = .published
    let entry = Entry(jwk: jwk, privateKey: privateKey)
    try save(entry)
    entries.append(entry)
    return jwk
  }

  /// Allows `kid` to sign from `date`; any other key active at `date` is retired at `date`,
  /// so exactly one key signs at any time.
  public mutating func activate(kid: String, at date: Date) throws(KeyRingError) {
    let when = JSONCoding.wholeSeconds(date)
    let index = try indexOf(kid)
    let jwk = entries[index].jwk
    guard jwk.revoked == nil else { throw .invalidTransition(kid: kid, reason: "it is marked compromised") }
    guard jwk.activated == nil else { throw .invalidTransition(kid: kid, reason: "it was already activated") }
    guard jwk.retired == nil else { throw .invalidTransition(kid: kid, reason: "it is retired") }
    guard entries[index].hasPrivateKey else {
      throw .invalidTransition(kid: kid, reason: "its private key is not in \(directory)")
    }
    if let created = jwk.created, when < created {
      throw .invalidTransition(kid: kid, reason: "activation must not precede publication (\(JSONCoding.timestamp(created)))")
    }
    for other in entries.indices where other != index {
      let otherKey = entries[other].jwk
      // Also a key whose retirement was only scheduled (by a delayed rotation): an earlier
      // activation supersedes it now.
      if otherKey.revoked == nil, otherKey.activated != nil, otherKey.retired.map({ $0 > when }) ?? true {
        entries[other].jwk.retired = max(when, otherKey.activated ?? when)
        entries[other].jwk.status = entries[other].jwk.status(at: when)
        try save(entries[other])
      }
    }
    entries[index].jwk.activated = when
    entries[index].jwk.status = entries[index].jwk.status(at: when)
    try save(entries[index])
  }

  /// Publishes a new key at `date` and makes it the signing key at `date + activationDelay`;
  /// the previously active key is retired at that same instant but stays published.
  @discardableResult
  public mutating func rotate(at date: Date, activationDelay: TimeInterval = 0) throws(KeyRingError) -> PublicJWK {
    let jwk = try generate(at: date)
    try activate(kid: jwk.kid, at: date.addingTimeInterval(max(0, activationDelay)))
    return try entries[indexOf(jwk.kid)].jwk
  }

  /// Stops `kid` from signing from `date`. It stays in the published key set.
  public mutating func retire(kid: String, at date: Date) throws(KeyRingError) {
    let when = JSONCoding.wholeSeconds(date)
    let index = try indexOf(kid)
    guard entries[index].jwk.retired == nil else { throw .invalidTransition(kid: kid, reason: "it is already retired") }
    if let activated = entries[index].jwk.activated, when < activated {
      throw .invalidTransition(kid: kid, reason: "retirement must not precede activation")
    }
    entries[index].jwk.retired = when
    entries[index].jwk.status = entries[index].jwk.status(at: when)
    try save(entries[index])
  }

  /// Marks `kid` compromised at `date`: it stops signing and every credential it signed,
  /// before or after, fails verification. Irreversible.
  public mutating func markCompromised(kid: String, at date: Date) throws(KeyRingError) {
    let when = JSONCoding.wholeSeconds(date)
    let index = try indexOf(kid)
    guard entries[index].jwk.revoked == nil else { throw .invalidTransition(kid: kid, reason: "it is already compromised") }
    entries[index].jwk.revoked = when
    if entries[index].jwk.retired == nil, entries[index].jwk.activated != nil { entries[index].jwk.retired = when }
    entries[index].jwk.status = .compromised
    try save(entries[index])
  }

  /// The key allowed to sign at `date`: activated at or before it, not retired, not
  /// compromised, with its private half on this host. The most recently activated wins.
  public func signingKey(at date: Date) throws(KeyRingError) -> Ed25519SigningKey {
    let when = JSONCoding.wholeSeconds(date)
    let candidate = entries
      // A retired key never signs again, not even in the second it retired (verifiers allow
      // that second only because whole-second times cannot order it against the retirement).
      .filter { $0.hasPrivateKey && $0.jwk.violation(forSignatureAt: when) == nil && ($0.jwk.retired.map { when < $0 } ?? true) }
      .max { ($0.jwk.activated ?? .distantPast) < ($1.jwk.activated ?? .distantPast) }
    guard let candidate, let privateKey = candidate.privateKey else { throw .noSigningKey(at: when) }
    var jwk = candidate.jwk
    jwk.status = jwk.status(at: when)
    return Ed25519SigningKey(privateKey: privateKey, metadata: jwk)
  }

  /// Every key in the ring as a JWKS, with `status` evaluated at `date`. Retired and
  /// compromised keys are included: verifiers need them to judge old credentials.
  public func publicKeySet(at date: Date) -> JWKSet {
    JWKSet(keys: entries.map { entry in
      var jwk = entry.jwk
      jwk.status = jwk.status(at: date)
      return jwk
    })
  }

  /// The key set with statuses as of now; what the server publishes and bundles.
  public func publicKeySet() -> JWKSet {
    publicKeySet(at: Date())
  }

  private func indexOf(_ kid: String) throws(KeyRingError) -> Int {
    guard let index = entries.firstIndex(where: { $0.jwk.kid == kid }) else { throw .unknownKey(kid) }
    return index
  }

  private func save(_ entry: Entry) throws(KeyRingError) {
    let base = directory + "/" + entry.jwk.kid
    if let privateKey = entry.privateKey, !FileManager.default.fileExists(atPath: base + ".key") {
      try SecureFile.writeOwnerOnly(Data((Base64URL.encode(privateKey.rawRepresentation) + "\n").utf8), to: base + ".key")
    }
    let metadata: Data
    do {
      metadata = try JSONCoding.encoder().encode(entry.jwk)
    } catch {
      throw .writeFailed(path: base + ".json", reason: "\(error)")
    }
    try SecureFile.writeOwnerOnly(metadata, to: base + ".json")
  }
}
