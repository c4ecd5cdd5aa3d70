import ArgumentParser
import Foundation
import WireProtocol

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct VolunteerWithdrawCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "withdraw",
    abstract: "Withdraw a volunteer at their request; their personal details become unreadable.",
    discussion: """
      Calls Volunteers.WithdrawVolunteer (admins only) and prints what remains of the \
      volunteer. Name, identity document, phone and guardian details are pseudonymised for \
      good; the volunteer number, the hours ledger and the audit history stay, so totals stay \
      correct. This cannot be undone.

      On a terminal the command asks for confirmation first (any answer but y or yes \
      withdraws nothing and exits 2); --yes skips the question. When \
      standard input is not a terminal (a script), --yes is required, so nothing is withdrawn \
      by accident. Withdrawing a withdrawn volunteer changes nothing, so repeating the \
      command is safe.

      Example:
        vol-admin volunteer withdraw V0000000014
        vol-admin volunteer withdraw V0000000014 --yes
      """
  )

  @Argument(help: ArgumentHelp("The volunteer number, e.g. V0000000014.", valueName: "number"))
  var number: String

  @Flag(help: "Do not ask for confirmation (required when standard input is not a terminal).")
  var yes = false

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    _ = try LedgerArguments.volunteerNumber(self.number, "<number>")
  }

  func run() async throws {
    var request = Volunteer_V1_WithdrawVolunteerRequest()
    request.volunteerNumber = try LedgerArguments.volunteerNumber(self.number, "<number>")
    if !self.yes {
      guard isatty(STDIN_FILENO) == 1 else {
        Console.error(
          "error: withdrawing \(request.volunteerNumber) cannot be undone and standard input is "
            + "not a terminal to confirm it: add --yes.")
        throw ExitCode(ExitStatus.usage)
      }
      FileHandle.standardError.write(
        Data(
          ("Withdraw volunteer \(request.volunteerNumber)? Their name, identity document, phone "
            + "and guardian details become unreadable for good; the number and hours stay. "
            + "[y/N] ").utf8))
      let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
      guard answer == "y" || answer == "yes" else {
        Console.error("Nothing withdrawn.")
        throw ExitCode(ExitStatus.usage)
      }
    }
    let volunteer = try await self.connection.withClient(
      retryHint: "the outcome is unknown: repeating the command is safe"
    ) { client, options in
      try await Volunteer_V1_Volunteers.Client(wrapping: client)
        .withdrawVolunteer(request, options: options)
    }
    let view = VolunteerView(volunteer)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
  }
}
