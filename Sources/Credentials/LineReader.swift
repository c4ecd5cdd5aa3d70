import Foundation

/// Reads a file line by line in fixed-size chunks, so a bundle of any size is verified in
/// constant memory. Lines end with `\n`; a final line without one is still returned.
final class LineReader {
  /// A line longer than the limit.
  struct LineTooLong: Error, CustomStringConvertible {
    let limit: Int
    var description: String { "line longer than \(limit) bytes" }
  }

  private let handle: FileHandle
  private let maximumLineBytes: Int
  private var buffer = Data()
  private var atEnd = false

  init?(path: String, maximumLineBytes: Int) {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    self.handle = handle
    self.maximumLineBytes = maximumLineBytes
  }

  deinit {
    try? handle.close()
  }

  /// The next line without its `\n`, or nil at end of file.
  func next() throws -> Data? {
    while true {
      if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        let line = buffer[buffer.startIndex..<newline]
        buffer.removeSubrange(buffer.startIndex...newline)
        return Data(line)
      }
      if buffer.count > maximumLineBytes { throw LineTooLong(limit: maximumLineBytes) }
      if atEnd {
        guard !buffer.isEmpty else { return nil }
        defer { buffer.removeAll() }
        return Data(buffer)
      }
      let chunk = try handle.read(upToCount: 64 * 1024) ?? Data()
      if chunk.isEmpty { atEnd = true } else { buffer.append(chunk) }
    }
  }
}
