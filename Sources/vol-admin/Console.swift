import Foundation

/// Writes to standard output and standard error.
enum Console {
  /// Prints one or more lines to standard output.
  static func out(_ text: String) {
    print(text)
  }

  /// Prints a message to standard error, adding the final newline if missing.
  static func error(_ text: String) {
    let line = text.hasSuffix("\n") ? text : text + "\n"
    FileHandle.standardError.write(Data(line.utf8))
  }
}
