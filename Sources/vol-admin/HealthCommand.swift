import ArgumentParser
import WireProtocol

struct HealthCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "health",
    abstract: "Check that the service is serving, and who it thinks you are.",
    discussion: """
      Calls Health.Check and prints the serving status, the server version, the kind of \
      record store, the server's clock, and the caller as the server sees it (principal id \
      from your certificate, role and scope). Any enrolled principal may call it, so it is \
      the first thing to try when setting up a certificate.

      Exits 0 when the service is serving, 1 when it answers but is not serving (or returns \
      an error), 3 when it cannot be reached.

      Example:
        vol-admin health
        vol-admin health --json
        vol-admin health --host records.example.org --port 7443 \\
          --cert me.crt --key me.key --ca records-ca.crt
      """
  )

  @OptionGroup
  var connection: ConnectionOptions

  func run() async throws {
    let response = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Health.Client(wrapping: client)
        .check(Volunteer_V1_HealthCheckRequest(), options: options)
    }
    let view = HealthView(response)
    if self.connection.json {
      try Output.json(view)
    } else {
      Output.keyValues(view.lines)
    }
    if response.status != .serving {
      throw ExitCode(ExitStatus.serverError)
    }
  }
}
