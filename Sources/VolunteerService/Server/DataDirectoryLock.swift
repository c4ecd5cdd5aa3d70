import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a data directory, held for a process's lifetime by the service and by
/// offline maintenance (a key rotation), so the two never work on one directory at once.
///
/// `flock` on `<directory>/service.lock`: the kernel releases it when the process ends, even
/// by SIGKILL, so a crash never leaves a stale lock behind.
public final class DataDirectoryLock: Sendable {
  private let descriptor: Int32

  /// Takes the lock, creating the directory (0700) if it does not exist yet.
  ///
  /// - Throws: ``DataDirectoryLockError`` naming the holder's pid
  ///   when another process holds it; never waits.
  public init(directory: String) throws {
    try FileManager.default.createDirectory(
      atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let path = directory + "/service.lock"
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw DataDirectoryLockError(message: "cannot open \(path): \(String(cString: strerror(errno)))")
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      var holder = [UInt8](repeating: 0, count: 32)
      let count = pread(descriptor, &holder, holder.count, 0)
      close(descriptor)
      let pid = String(decoding: holder.prefix(max(0, count)), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      throw DataDirectoryLockError(
        message: "the data directory \(directory) is in use by another process\(pid.isEmpty ? "" : " (pid \(pid))"): stop the service (or wait for the running maintenance command) first")
    }
    let pid = Array("\(getpid())\n".utf8)
    _ = ftruncate(descriptor, 0)
    _ = pwrite(descriptor, pid, pid.count, 0)
    self.descriptor = descriptor
  }

  deinit {
    close(self.descriptor)
  }
}
