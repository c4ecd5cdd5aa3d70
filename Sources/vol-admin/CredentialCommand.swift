import ArgumentParser
import Foundation
import WireProtocol

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct CredentialCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "credential",
    abstract: "Issue, show, revoke and verify signed credentials; export offline bundles.",
    discussion: """
      A credential is a W3C Verifiable Credential 2.0 (Open Badges 3.0 AchievementCredential) \
      stating a volunteer's evaluation from approved records only, signed as a compact JWS \
      (VC-JWT, Ed25519) with an evidence digest over the records counted. Revocation (final) \
      and suspension (reversible) are published in signed Bitstring Status Lists. \
      docs/CREDENTIALS.md describes the formats.

      `credential verify` works offline and needs no connection or certificate: it checks a \
      bundle written by `credential export` with nothing but the files in it (and, optionally, \
      a key set fetched independently with --jwks).

      Example:
        vol-admin credential issue V0000000014
        vol-admin credential show VC-2026-000001
        vol-admin credential show VC-2026-000001 --token | vol-admin credential verify-token -
        vol-admin credential evidence VC-2026-000001 --out evidence.txt
        vol-admin credential suspend VC-2026-000001 --reason "record under review"
        vol-admin credential reinstate VC-2026-000001 --reason "review closed"
        vol-admin credential revoke VC-2026-000001 --reason "issued in error"
        vol-admin credential export --out audit-2026 --org org-beijing --from 2026-01-01
        vol-admin credential verify audit-2026
      """,
    subcommands: [
      CredentialIssueCommand.self, CredentialShowCommand.self, CredentialRevokeCommand.self,
      CredentialSuspendCommand.self, CredentialReinstateCommand.self,
      CredentialVerifyTokenCommand.self, CredentialEvidenceCommand.self,
      CredentialExportCommand.self, CredentialVerifyCommand.self,
    ]
  )
}

/// Credential numbers and key ids given as arguments, checked before sending.
enum CredentialArguments {
  /// A credential number as the service assigns it: 1-128 characters of
  /// `A-Z a-z 0-9 . _ : -` (docs/CREDENTIALS.md), trimmed.
  static func number(_ raw: String, _ what: String) throws -> String {
    let number = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    guard (1...128).contains(number.utf8.count), number.utf8.allSatisfy(Self.isIdentifierByte) else {
      throw ValidationError(
        "\(what) must be a credential number: 1-128 characters of A-Z a-z 0-9 . _ : -, "
          + "e.g. VC-2026-000001 (got '\(raw)').")
    }
    return number
  }

  /// A key id: the RFC 7638 thumbprint of an Ed25519 key, 43 characters of base64url.
  static func kid(_ raw: String, _ what: String) throws -> String {
    let kid = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    guard kid.utf8.count == 43, kid.utf8.allSatisfy(Self.isBase64URLByte) else {
      throw ValidationError(
        "\(what) must be a key id: the 43-character base64url thumbprint shown by "
          + "`vol-admin keys list` (got '\(raw)').")
    }
    return kid
  }

  /// A compact JWS as presented: three non-empty base64url parts separated by dots, at most
  /// 512 KiB. Returns it trimmed.
  static func token(_ raw: String, _ what: String) throws -> String {
    let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !token.isEmpty else {
      throw ValidationError("\(what) is empty; pass a compact JWS (header.payload.signature).")
    }
    guard token.utf8.count <= 512 * 1024 else {
      throw ValidationError("\(what) is \(token.utf8.count) bytes; a credential token is at most 512 KiB.")
    }
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(Self.isBase64URLByte) })
    else {
      throw ValidationError(
        "\(what) is not a compact JWS: expected three base64url parts separated by dots "
          + "(header.payload.signature), got \(parts.count) part\(parts.count == 1 ? "" : "s").")
    }
    return token
  }

  static func isIdentifierByte(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
      || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
      || byte == UInt8(ascii: "-")
  }

  static func isBase64URLByte(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
      || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
  }
}

/// The confirmation an irreversible command asks for (as `volunteer withdraw` does): on a
/// terminal a [y/N] question unless --yes; with standard input not a terminal, --yes is
/// required. A refusal exits 2 without calling the service.
enum Confirmation {
  static func require(yes: Bool, what: String, question: String) throws {
    if yes { return }
    guard isatty(STDIN_FILENO) == 1 else {
      Console.error(
        "error: \(what) cannot be undone and standard input is not a terminal to confirm it: "
          + "add --yes.")
      throw ExitCode(ExitStatus.usage)
    }
    FileHandle.standardError.write(Data((question + " [y/N] ").utf8))
    let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    guard answer == "y" || answer == "yes" else {
      Console.error("Nothing changed.")
      throw ExitCode(ExitStatus.usage)
    }
  }
}

/// What `revoke`, `suspend` and `reinstate` share: SetCredentialStatus and the printout.
enum CredentialStatusChange {
  static func request(
    number: String, status: Volunteer_V1_CredentialStatus, reason: String
  ) throws -> Volunteer_V1_SetCredentialStatusRequest {
    var request = Volunteer_V1_SetCredentialStatusRequest()
    request.number = try CredentialArguments.number(number, "<number>")
    request.status = status
    request.reason = try LedgerArguments.text(reason, "--reason", 1...500)
    return request
  }

  static func send(
    _ request: Volunteer_V1_SetCredentialStatusRequest, connection: ConnectionOptions
  ) async throws {
    let credential = try await connection.withClient(
      retryHint: "the outcome is unknown: check with `vol-admin credential show \(request.number)`"
    ) { client, options in
      try await Volunteer_V1_Credentials.Client(wrapping: client)
        .setCredentialStatus(request, options: options)
    }
    let view = CredentialView(credential)
    if connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }
}

extension Volunteer_V1_CredentialStatus {
  var cliName: String {
    switch self {
    case .unspecified: "unspecified"
    case .active: "active"
    case .suspended: "suspended"
    case .revoked: "revoked"
    case .UNRECOGNIZED(let value): "unrecognized(\(value))"
    }
  }
}

/// `--status` values of `credential export`.
enum CredentialStatusArgument: String, CaseIterable, ExpressibleByArgument {
  case active, suspended, revoked

  var proto: Volunteer_V1_CredentialStatus {
    switch self {
    case .active: .active
    case .suspended: .suspended
    case .revoked: .revoked
    }
  }
}
