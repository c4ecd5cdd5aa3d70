import Foundation
import GRPCCore
import Synchronization

/// The evaluation policy versions the service knows, in memory beside the store, so an
/// evaluation never parses a document. Filled from the store at start and by `LoadPolicy`.
final class PolicyRegistry: Sendable {
  /// The policy used when a request names none.
  let defaultPolicyID: String
  private let versions: Mutex<[String: [Int: StoredPolicy]]>

  /// - Throws: ``ConfigurationError`` when the default policy has no stored version.
  init(stored: [StoredPolicy], defaultPolicyID: String) throws {
    var versions: [String: [Int: StoredPolicy]] = [:]
    for entry in stored { versions[entry.policy.id, default: [:]][entry.policy.version] = entry }
    guard versions[defaultPolicyID] != nil else {
      throw ConfigurationError(
        message: "defaultPolicy \"\(defaultPolicyID)\" is not a known policy (known: "
          + "\(versions.keys.sorted().joined(separator: ", "))); put its document in the "
          + "policy directory")
    }
    self.defaultPolicyID = defaultPolicyID
    self.versions = Mutex(versions)
  }

  /// A version of a policy (the default policy when `id` is empty; the newest version when
  /// `version` is `nil`).
  func policy(id: String, version: Int?) -> StoredPolicy? {
    let id = id.isEmpty ? self.defaultPolicyID : id
    return self.versions.withLock { versions in
      guard let known = versions[id] else { return nil }
      if let version { return known[version] }
      return known.max { $0.key < $1.key }?.value
    }
  }

  /// The newest version of the default policy.
  var defaultPolicy: EvaluationPolicy {
    // The initialiser checked the default policy exists, and versions are never removed.
    self.policy(id: "", version: nil)!.policy
  }

  /// Every version, by id, newest first.
  var all: [StoredPolicy] {
    self.versions.withLock { versions in
      versions.keys.sorted().flatMap { id in
        versions[id, default: [:]].values.sorted { $0.policy.version > $1.policy.version }
      }
    }
  }

  /// Makes a newly stored version available.
  func add(_ stored: StoredPolicy) {
    self.versions.withLock { $0[stored.policy.id, default: [:]][stored.policy.version] = stored }
  }

  /// Reads every `*.json` document in `directory` (sorted by name) and stores the versions
  /// that are new, then returns a registry of everything stored.
  ///
  /// - Throws: ``ConfigurationError`` naming the file and the field at fault for a malformed
  ///   document, or a version that conflicts with a stored one; nothing of a bad directory is
  ///   half-loaded into the registry (the start fails).
  static func load(
    directory: String, defaultPolicyID: String, store: any RecordStore, at date: Date
  ) async throws -> PolicyRegistry {
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    if manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue {
      let names = try manager.contentsOfDirectory(atPath: directory)
        .filter { $0.hasSuffix(".json") }.sorted()
      var documents: [(String, EvaluationPolicy)] = []
      for name in names {
        let path = directory + "/" + name
        guard let data = manager.contents(atPath: path) else {
          throw ConfigurationError(message: "policy \(path) cannot be read")
        }
        do {
          documents.append((path, try EvaluationPolicy(json: data)))
        } catch {
          throw ConfigurationError(message: "policy \(path): \(error.field): \(error.reason)")
        }
      }
      for (path, policy) in documents {
        do {
          _ = try await store.storePolicy(
            StoredPolicy(policy: policy, loadedAt: date, loadedBy: "file:" + path))
        } catch let error as RecordStoreError {
          throw ConfigurationError(message: "policy \(path): \(RPCError(error).message)")
        }
      }
    }
    return try PolicyRegistry(stored: try await store.policies(), defaultPolicyID: defaultPolicyID)
  }
}
