import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file a command writes whole or not at all: the bytes go to `FILE.partial` (mode 0600),
/// which is flushed to disk and renamed over `FILE` only once complete, so `FILE` never holds
/// a truncated export or backup.
struct OutputFile {
  /// The file to produce.
  let path: String
  private let partialPath: String
  private let handle: FileHandle

  /// Checks `--out` before anything runs: not empty, not a directory, and not an existing
  /// file unless `replacing`.
  static func validate(_ path: String, replacing: Bool = true) throws {
    guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw ValidationError("--out must not be empty.")
    }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      if isDirectory.boolValue { throw ValidationError("--out \(path) is a directory; name a file.") }
      if !replacing { throw ValidationError("--out \(path) exists; pass --force to replace it.") }
    }
  }

  /// Creates `path.partial`; exits with the usage status when it cannot.
  init(path: String) throws {
    self.path = path
    self.partialPath = path + ".partial"
    guard
      FileManager.default.createFile(
        atPath: self.partialPath, contents: nil, attributes: [.posixPermissions: 0o600]),
      let handle = FileHandle(forWritingAtPath: self.partialPath)
    else {
      Console.error("error: cannot write \(self.partialPath).")
      throw ExitCode(ExitStatus.usage)
    }
    self.handle = handle
  }

  /// Appends `data`.
  func write(_ data: Data) throws {
    try self.handle.write(contentsOf: data)
  }

  /// Removes the partial file (the call failed or its result did not check out).
  func abandon() {
    try? self.handle.close()
    try? FileManager.default.removeItem(atPath: self.partialPath)
  }

  /// Flushes the partial file to disk and renames it over ``path``.
  func commit() throws {
    try self.handle.synchronize()
    try self.handle.close()
    // rename(2) replaces an existing FILE in one step: there is never a moment without it.
    guard rename(self.partialPath, self.path) == 0 else {
      Console.error("error: cannot rename \(self.partialPath) to \(self.path): \(String(cString: strerror(errno)))")
      throw ExitCode(ExitStatus.usage)
    }
  }
}
