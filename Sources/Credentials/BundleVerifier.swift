import Crypto
import Foundation

/// Checks an offline bundle with no network: the manifest signature, every file's hash, no
/// extra or missing files, the key set, the status lists, and every credential (signature
/// by `kid`, key status at issue time, claims, revocation and suspension), streaming
/// `credentials.jsonl` line by line.
///
/// Which keys are trusted: by default the bundle's own `jwks.json`, which proves the bundle
/// is internally consistent and unaltered since signing. An auditor who has fetched the
/// issuer's published JWKS independently should pass it as `trustedKeySet`: bundled keys must
/// then match it, and its (possibly newer) lifecycle data — a key compromised after the
/// export — is what credentials are judged against.
public struct BundleVerifier: Sendable {
  /// Independently obtained key set, or nil to trust the bundle's own.
  public var trustedKeySet: JWKSet?
  /// Time to judge `validUntil` against, or nil to ignore expiry.
  public var now: Date?
  /// Longest accepted `credentials.jsonl` line.
  public var maximumLineBytes: Int
  /// Largest accepted `jwks.json`, manifest or status list file.
  public var maximumSmallFileBytes: Int

  /// Creates a verifier; see the property docs.
  public init(trustedKeySet: JWKSet? = nil, now: Date? = nil, maximumLineBytes: Int = 256 * 1024, maximumSmallFileBytes: Int = 8 * 1024 * 1024) {
    self.trustedKeySet = trustedKeySet
    self.now = now
    self.maximumLineBytes = maximumLineBytes
    self.maximumSmallFileBytes = maximumSmallFileBytes
  }

  /// Verifies the bundle in `directory`. `progress` is called with the number of
  /// credentials checked so far (every 1,000 and at the end).
  public func verify(directory: String, progress: ((Int) -> Void)? = nil) -> BundleReport {
    var report = BundleReport()

    // Keys.
    guard let jwksData = readSmall(directory, BundleManifest.keySetFile, into: &report) else { return report }
    let bundleKeys: JWKSet
    do {
      bundleKeys = try JWKSet.decode(jwksData)
    } catch {
      report.bundleProblems.append(.invalidKeySet(error.description))
      return report
    }
    var keySet = bundleKeys
    if let trustedKeySet {
      for key in bundleKeys.keys where trustedKeySet.key(withID: key.kid)?.x != key.x {
        report.bundleProblems.append(.untrustedKey(kid: key.kid))
      }
      keySet = trustedKeySet
    }

    // Manifest.
    guard let manifestData = readSmall(directory, BundleManifest.manifestFile, into: &report) else { return report }
    guard let manifest = verifyManifest(manifestData, keySet: keySet, into: &report) else { return report }
    report.manifest = manifest

    // Files: exactly those in the manifest, each with its hash.
    let present = listFiles(directory, into: &report)
    for name in present.subtracting(manifest.files.keys).sorted() { report.bundleProblems.append(.unexpectedFile(name)) }
    for name in Set(manifest.files.keys).subtracting(present).sorted() { report.bundleProblems.append(.missingFile(name)) }
    for (name, entry) in manifest.files.sorted(by: { $0.key < $1.key }) where present.contains(name) {
      guard let (digest, size) = hashFile(directory + "/" + name) else {
        report.bundleProblems.append(.unreadable(file: name, reason: "cannot read"))
        continue
      }
      if digest != entry.sha256 || size != entry.bytes { report.bundleProblems.append(.hashMismatch(file: name)) }
    }
    if manifest.counts.keys != bundleKeys.keys.count {
      report.bundleProblems.append(.countMismatch(what: "keys", manifest: manifest.counts.keys, found: bundleKeys.keys.count))
    }

    // Status lists.
    let statusFiles = present.filter {
      ($0.hasPrefix(BundleManifest.statusListDirectory + "/") || $0 == "status-list.jwt") && $0.hasSuffix(".jwt")
    }.sorted()
    if manifest.counts.statusLists != statusFiles.count {
      report.bundleProblems.append(.countMismatch(what: "status lists", manifest: manifest.counts.statusLists, found: statusFiles.count))
    }
    var statusLists: [String: VerifiedStatusList] = [:]
    for name in statusFiles {
      guard let data = readSmall(directory, name, into: &report) else { continue }
      do {
        let verified = try StatusListCredential.verify(String(decoding: data, as: UTF8.self), keySet: keySet)
        statusLists[verified.url] = verified
      } catch {
        report.bundleProblems.append(.invalidStatusList(file: name, reason: "\(error)"))
      }
    }

    // Credentials, streamed.
    guard let reader = LineReader(path: directory + "/" + BundleManifest.credentialsFile, maximumLineBytes: maximumLineBytes) else {
      report.bundleProblems.append(.unreadable(file: BundleManifest.credentialsFile, reason: "cannot open"))
      return report
    }
    var lineNumber = 0
    while true {
      let next: Data?
      do { next = try reader.next() } catch {
        report.bundleProblems.append(.malformedLine(line: lineNumber + 1, reason: "\(error)"))
        break
      }
      guard let line = next else { break }
      lineNumber += 1
      report.credentialCount += 1
      check(line: line, number: lineNumber, keySet: keySet, statusLists: statusLists, into: &report)
      if lineNumber % 1000 == 0 { progress?(lineNumber) }
    }
    progress?(lineNumber)
    if manifest.counts.credentials != report.credentialCount {
      report.bundleProblems.append(
        .countMismatch(what: "credentials", manifest: manifest.counts.credentials, found: report.credentialCount))
    }
    return report
  }

  private func check(
    line: Data, number lineNumber: Int, keySet: JWKSet, statusLists: [String: VerifiedStatusList], into report: inout BundleReport
  ) {
    guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
      let token = object["token"] as? String, let number = object["number"] as? String
    else {
      report.bundleProblems.append(.malformedLine(line: lineNumber, reason: "expected a JSON object with string \"token\" and \"number\""))
      report.invalidCount += 1
      return
    }
    let result = CredentialVerifier.verify(token, keySet: keySet, statusLists: statusLists, now: now)
    var problems = result.problems
    if let decoded = result.decoded, decoded.claims.credentialNumber != number {
      problems.append(
        .claims(.inconsistentClaim(claim: "number (line metadata)", expected: decoded.claims.credentialNumber, found: number)))
    }
    if problems.isEmpty {
      report.validCount += 1
      return
    }
    let failure = CredentialFailure(line: lineNumber, number: number, problems: problems)
    report.failures.append(failure)
    if failure.isStatusOnly {
      if problems.contains(where: { if case .revoked = $0 { true } else { false } }) { report.revokedCount += 1 }
      if problems.contains(where: { if case .suspended = $0 { true } else { false } }) { report.suspendedCount += 1 }
    } else {
      report.invalidCount += 1
    }
  }

  private func verifyManifest(_ data: Data, keySet: JWKSet, into report: inout BundleReport) -> BundleManifest? {
    do {
      let token = String(decoding: data, as: UTF8.self)
      let verified = try CompactJWS.verify(token, keySet: keySet, maximumSize: maximumSmallFileBytes)
      guard verified.jws.header.typ == JOSEHeader.jwtType else {
        report.bundleProblems.append(.invalidManifest("typ must be JWT"))
        return nil
      }
      let manifest = try JSONCoding.decoder().decode(BundleManifest.self, from: verified.jws.payload)
      guard manifest.format == BundleManifest.formatName, manifest.version == 1 else {
        report.bundleProblems.append(.invalidManifest("unsupported format \(manifest.format) v\(manifest.version)"))
        return nil
      }
      guard let created = JSONCoding.parseTimestamp(manifest.created), Int64(floor(created.timeIntervalSince1970)) == manifest.iat else {
        report.bundleProblems.append(.invalidManifest("created and iat disagree"))
        return nil
      }
      if let violation = verified.key.violation(forSignatureAt: created) {
        report.bundleProblems.append(.invalidManifest("\(violation)"))
        return nil
      }
      return manifest
    } catch {
      report.bundleProblems.append(.invalidManifest("\(error)"))
      return nil
    }
  }

  private func readSmall(_ directory: String, _ name: String, into report: inout BundleReport) -> Data? {
    let path = directory + "/" + name
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      let size = attributes[.size] as? Int, attributes[.type] as? FileAttributeType == .typeRegular
    else {
      report.bundleProblems.append(.unreadable(file: name, reason: "missing or not a regular file"))
      return nil
    }
    guard size <= maximumSmallFileBytes else {
      report.bundleProblems.append(.unreadable(file: name, reason: "\(size) bytes exceeds \(maximumSmallFileBytes)"))
      return nil
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      report.bundleProblems.append(.unreadable(file: name, reason: "cannot read"))
      return nil
    }
    return data
  }

  /// Relative paths of all entries except the manifest; symlinks and other non-regular files
  /// are reported and not followed.
  private func listFiles(_ directory: String, into report: inout BundleReport) -> Set<String> {
    var files = Set<String>()
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return files }
    while let relative = enumerator.nextObject() as? String {
      let type = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + relative))?[.type] as? FileAttributeType
      if type == .typeDirectory { continue }
      if relative == BundleManifest.manifestFile { continue }
      if type != .typeRegular {
        report.bundleProblems.append(.unexpectedFile(relative + " (not a regular file)"))
        continue
      }
      files.insert(relative)
    }
    return files
  }

  private func hashFile(_ path: String) -> (String, Int)? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    var hasher = SHA256()
    var size = 0
    while true {
      // `read(upToCount:)` returns nil at end of file.
      let chunk: Data
      do { chunk = try handle.read(upToCount: 256 * 1024) ?? Data() } catch { return nil }
      if chunk.isEmpty { break }
      hasher.update(data: chunk)
      size += chunk.count
    }
    return (BundleWriter.hex(hasher.finalize()), size)
  }
}
