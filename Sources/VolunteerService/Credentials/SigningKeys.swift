import Credentials
import Foundation

/// The service's Ed25519 key ring (files under `<data>/keys`, mode 0600, never in the
/// database, never logged), serialised behind an actor because rotation writes files.
actor SigningKeys {
  private var ring: KeyRing

  /// Loads the ring from `directory`, creating the first key when none can sign, so a new
  /// deployment issues credentials from its first start.
  init(directory: String, now: Date = Date()) throws {
    var ring = try KeyRing.load(from: directory)
    if (try? ring.signingKey(at: now)) == nil {
      _ = try ring.rotate(at: now)
    }
    self.ring = ring
  }

  /// The key that signs at `date`.
  func signingKey(at date: Date = Date()) throws -> Ed25519SigningKey {
    try self.ring.signingKey(at: date)
  }

  /// The published key set with every key's lifecycle as of now.
  func keySet() -> JWKSet {
    self.ring.publicKeySet()
  }

  /// Publishes a new key now that signs from `date + activationDelay`; the previous key signs
  /// until then, then retires but stays published.
  func rotate(at date: Date = Date(), activationDelay: TimeInterval = 0) throws {
    _ = try self.ring.rotate(at: date, activationDelay: activationDelay)
  }

  /// Stops `kid` from signing; it stays published. Refused for the key that signs now (one
  /// key signs at a time): rotate first, which retires it.
  func retire(kid: String, at date: Date = Date()) throws {
    if (try? self.ring.signingKey(at: date))?.kid == kid {
      throw KeyAdministrationError(
        message: "kid: \(kid) is the key that signs now; rotate first (which retires it)")
    }
    try self.ring.retire(kid: kid, at: date)
  }

  /// Marks `kid` compromised: every credential it signed fails verification from now on.
  /// When it was the signing key, a new key is published and signs at once.
  func markCompromised(kid: String, at date: Date = Date()) throws {
    try self.ring.markCompromised(kid: kid, at: date)
    if (try? self.ring.signingKey(at: date)) == nil {
      _ = try self.ring.rotate(at: date)
    }
  }
}

/// A key administration request that would leave the service unable to sign.
struct KeyAdministrationError: Error, CustomStringConvertible {
  var message: String
  var description: String { self.message }
}
