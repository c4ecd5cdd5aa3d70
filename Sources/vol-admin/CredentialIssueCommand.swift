import ArgumentParser
import Foundation
import WireProtocol

struct CredentialIssueCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "issue",
    abstract: "Issue a signed credential stating a volunteer's evaluation today.",
    discussion: """
      Calls Credentials.IssueCredential: the service evaluates the volunteer today under its \
      default policy (approved records only), signs the result as a VC-JWT and prints the \
      credential: its number, status, star level, policy, the evidence digest over the \
      approved records counted and their number, and until when it is valid. Issuing is \
      free.

      --valid-days sets how long the credential stays valid (1-3650; default 365). \
      --identity-hash adds a salted SHA-256 of the volunteer's identity document number, so \
      the holder can prove the credential is theirs; the number itself never appears.

      The request carries an idempotency key (a new UUID unless --idempotency-key is given): \
      repeating the command with the same key returns the credential issued the first time \
      instead of a second one, so reuse the key when retrying after a timeout.

      Example:
        vol-admin credential issue V0000000014
        vol-admin credential issue V0000000014 --valid-days 730 --identity-hash
        vol-admin credential issue V0000000014 --idempotency-key school-2026-spring-0014 --json
      """
  )

  @Argument(help: ArgumentHelp("The volunteer number, e.g. V0000000014.", valueName: "volunteer"))
  var volunteer: String

  @Option(help: ArgumentHelp("Days the credential stays valid, 1-3650 (default 365).", valueName: "n"))
  var validDays: Int?

  @Flag(help: "Include a salted hash of the volunteer's identity document number.")
  var identityHash = false

  @Option(
    help: ArgumentHelp("Key that makes a retry safe; defaults to a new UUID.", valueName: "key"))
  var idempotencyKey: String?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try self.makeRequest(idempotencyKey: "validation")
  }

  func makeRequest(idempotencyKey: String) throws -> Volunteer_V1_IssueCredentialRequest {
    var request = Volunteer_V1_IssueCredentialRequest()
    request.volunteerNumber = try LedgerArguments.volunteerNumber(self.volunteer, "<volunteer>")
    if let days = self.validDays {
      guard (1...3650).contains(days) else {
        throw ValidationError("--valid-days must be between 1 and 3650 (ten years), not \(days).")
      }
      request.validDays = UInt32(days)
    }
    request.includeIdentityHash = self.identityHash
    let key = try LedgerArguments.text(idempotencyKey, "--idempotency-key", 1...128)
    guard key.utf8.count <= 128 else {
      throw ValidationError("--idempotency-key must be at most 128 bytes, got \(key.utf8.count).")
    }
    request.idempotencyKey = key
    return request
  }

  func run() async throws {
    let key = self.idempotencyKey ?? UUID().uuidString.lowercased()
    let request = try self.makeRequest(idempotencyKey: key)
    let credential = try await self.connection.withClient(
      retryHint: "the outcome is unknown: retry with --idempotency-key \(request.idempotencyKey)"
    ) { client, options in
      try await Volunteer_V1_Credentials.Client(wrapping: client).issueCredential(request, options: options)
    }
    let view = CredentialView(credential)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines + [("idempotency key", request.idempotencyKey)])
    }
  }
}
