import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX helpers for owner-only files (private keys), kept apart from key logic.
package enum SecureFile {
  /// Writes `data` to `path` atomically and durably with mode 0600: temp file created 0600
  /// with `O_EXCL`, fsync, rename, fsync of the directory, so the key is never briefly
  /// world-readable and a crash leaves the old file or the new one.
  package static func writeOwnerOnly(_ data: Data, to path: String) throws(KeyRingError) {
    let temporary = path + ".tmp-\(UUID().uuidString)"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw .writeFailed(path: temporary, reason: errnoText()) }
    var failure: String?
    if fchmod(descriptor, 0o600) != 0 { failure = errnoText() }
    if failure == nil {
      failure = data.withUnsafeBytes { buffer -> String? in
        guard let base = buffer.baseAddress else { return nil }
        var offset = 0
        while offset < buffer.count {
          let written = write(descriptor, base + offset, buffer.count - offset)
          if written < 0 {
            if errno == EINTR { continue }
            return errnoText()
          }
          offset += written
        }
        return nil
      }
    }
    if failure == nil, fsync(descriptor) != 0 { failure = errnoText() }
    close(descriptor)
    if failure == nil, rename(temporary, path) != 0 { failure = errnoText() }
    if let failure {
      unlink(temporary)
      throw .writeFailed(path: path, reason: failure)
    }
    // The rename is durable only once the directory is: without this a power cut could bring
    // back the old file after data written under the new key had been committed.
    let directory = (path as NSString).deletingLastPathComponent
    let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard directoryDescriptor >= 0 else { throw .writeFailed(path: directory, reason: errnoText()) }
    defer { close(directoryDescriptor) }
    guard fsync(directoryDescriptor) == 0 else { throw .writeFailed(path: directory, reason: errnoText()) }
  }

  /// Reads a file that must be a regular file (not a symlink) with no group/other bits.
  package static func readOwnerOnly(_ path: String, maximumSize: Int = 64 * 1024) throws(KeyRingError) -> Data {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard descriptor >= 0 else {
      if errno == ELOOP { throw .insecurePermissions(path: path, mode: 0o120000) }
      throw .malformedFile(path: path, reason: errnoText())
    }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw .malformedFile(path: path, reason: errnoText()) }
    let mode = UInt32(info.st_mode)
    guard mode & UInt32(S_IFMT) == UInt32(S_IFREG), mode & 0o077 == 0 else {
      throw .insecurePermissions(path: path, mode: mode)
    }
    guard Int(info.st_size) <= maximumSize else {
      throw .malformedFile(path: path, reason: "file is \(info.st_size) bytes, larger than \(maximumSize)")
    }
    var data = Data(count: Int(info.st_size))
    let count = data.count
    let readFailure = data.withUnsafeMutableBytes { buffer -> String? in
      guard let base = buffer.baseAddress else { return nil }
      var offset = 0
      while offset < count {
        let got = read(descriptor, base + offset, count - offset)
        if got < 0 {
          if errno == EINTR { continue }
          return errnoText()
        }
        if got == 0 { return "file shrank while reading" }
        offset += got
      }
      return nil
    }
    if let readFailure { throw .malformedFile(path: path, reason: readFailure) }
    return data
  }

  /// Creates `path` as a 0700 directory if it does not exist.
  static func ensureDirectory(_ path: String) throws(KeyRingError) {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw .directoryUnavailable(path: path, reason: "not a directory") }
      return
    }
    do {
      try FileManager.default.createDirectory(
        atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw .directoryUnavailable(path: path, reason: "\(error)")
    }
  }

  private static func errnoText() -> String {
    String(cString: strerror(errno))
  }
}
