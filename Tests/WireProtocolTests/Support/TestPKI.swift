import Foundation
import Synchronization

@testable import WireProtocol

/// The development PKI of `certs/dev-pki.sh`, created once per test process in a temporary
/// directory (removed at exit), plus a few certificates the script does not make.
enum TestPKI {
  /// The directory holding `ca.crt`, `server.crt`, `admin.crt`, `stranger.crt`, … and:
  /// - `two-uris.crt`: signed by the dev CA, with two URI SANs (an ambiguous identity);
  /// - `cn-only.crt`: signed by the dev CA, no SAN, CN `cn-only-client`;
  /// - `anonymous.crt`: signed by the dev CA, neither a URI SAN nor a CN.
  static let directory: String = {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("wire-protocol-tests-\(getpid())-\(UUID().uuidString)").path
    createdDirectory.withLock { $0 = directory }
    atexit {
      if let directory = TestPKI.createdDirectory.withLock({ $0 }) {
        try? FileManager.default.removeItem(atPath: directory)
      }
    }
    let script = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("certs/dev-pki.sh").path
    run(["bash", script, directory])
    run([
      "bash", "-c",
      """
      set -euo pipefail
      cd "$1"
      issue() { # NAME SUBJECT EXTENSIONS
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
        openssl req -new -config /dev/null -key "$1.key" -subj "$2" -out "$1.csr"
        printf 'basicConstraints=critical,CA:FALSE\\nkeyUsage=critical,digitalSignature\\nextendedKeyUsage=clientAuth\\n%s\\n' "$3" > "$1.ext"
        openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \\
          -days 2 -sha256 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
        rm "$1.csr" "$1.ext"
      }
      issue two-uris "/CN=two uris" "subjectAltName=URI:spiffe://volunteer/partner/a,URI:spiffe://volunteer/partner/b"
      issue cn-only "/CN=cn-only-client" ""
      issue anonymous "/O=Nobody" ""
      """,
      "issue", directory,
    ])
    return directory
  }()

  private static let createdDirectory = Mutex<String?>(nil)

  /// The server's certificate, trusting the dev CA for client certificates.
  static var server: WireTLSFiles {
    WireTLSFiles(
      certificateChainPath: "\(directory)/server.crt", privateKeyPath: "\(directory)/server.key",
      trustRootsPath: "\(directory)/ca.crt")
  }

  /// A client's certificate `name.crt`, trusting the dev CA for the server.
  static func client(_ name: String) -> WireTLSFiles {
    WireTLSFiles(
      certificateChainPath: "\(directory)/\(name).crt", privateKeyPath: "\(directory)/\(name).key",
      trustRootsPath: "\(directory)/ca.crt")
  }

  private static func run(_ arguments: [String]) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    do {
      try process.run()
      process.waitUntilExit()
    } catch {
      fatalError("could not run \(arguments): \(error)")
    }
    precondition(process.terminationStatus == 0, "\(arguments) failed: \(process.terminationStatus)")
  }
}
