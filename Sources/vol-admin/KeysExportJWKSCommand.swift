import ArgumentParser
import Credentials
import Foundation
import WireProtocol

struct KeysExportJWKSCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-jwks",
    abstract: "Write the published key set (JWKS) byte for byte.",
    discussion: """
      Calls Credentials.GetKeySet and writes the JWKS document exactly as the service \
      publishes it — to FILE with --out (replaced if it exists; a line naming the file and \
      its keys is printed), else to standard output. Hand it to auditors and relying parties: \
      with it any JOSE library verifies the credentials, and `credential verify DIR --jwks \
      FILE` judges a bundle by it (so a key compromised after the export counts).

      Example:
        vol-admin keys export-jwks --out issuer-jwks.json
        vol-admin keys export-jwks > issuer-jwks.json
      """
  )

  @Option(help: ArgumentHelp("Write the key set to this file.", valueName: "file"))
  var out: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    if let out = self.out {
      guard !out.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw ValidationError("--out must not be empty.")
      }
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue {
        throw ValidationError("--out \(out) is a directory; name a file.")
      }
    }
    if self.connection.json {
      throw ValidationError("export-jwks writes the JWKS document itself, which is JSON already; leave out --json.")
    }
  }

  func run() async throws {
    let keySet = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Credentials.Client(wrapping: client).getKeySet(.init(), options: options)
    }
    // Refuse to pass on something that is not a key set at all.
    let parsed: JWKSet
    do {
      parsed = try JWKSet.decode(keySet.jwksJson)
    } catch {
      Console.error("error: the service sent a key set that does not parse: \(ConnectionOptions.oneLine(error.description))")
      throw ExitCode(ExitStatus.serverError)
    }
    guard let out = self.out else {
      FileHandle.standardOutput.write(keySet.jwksJson)
      return
    }
    do {
      try keySet.jwksJson.write(to: URL(fileURLWithPath: out), options: .atomic)
    } catch {
      Console.error("error: cannot write \(out): \(ConnectionOptions.oneLine(error.localizedDescription))")
      throw ExitCode(ExitStatus.usage)
    }
    Console.out(
      "wrote \(out): \(keySet.jwksJson.count) bytes, \(parsed.keys.count) key\(parsed.keys.count == 1 ? "" : "s")"
        + (keySet.signingKid.isEmpty ? "" : ", signing key \(keySet.signingKid)"))
  }
}
