import ArgumentParser

/// The administrator's command-line client of the Volunteer Records Service.
///
/// Exit codes: 0 success, 1 the server refused or failed the call, 2 usage or local setup error,
/// 3 the server could not be reached.
@main
struct VolAdmin: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vol-admin",
    abstract: "Administer the Volunteer Records Service over its mutual-TLS RPC interface.",
    discussion: """
      Every command connects to the service with a client certificate (by default the dev \
      admin certificate in certs/dev/, created by certs/dev-pki.sh). Connection options go \
      after the command name and may also be set through the environment: VOL_ADMIN_HOST, \
      VOL_ADMIN_PORT, VOL_ADMIN_CERT, VOL_ADMIN_KEY, VOL_ADMIN_CA.

      Example:
        vol-admin health --host 127.0.0.1 --port 7443
        vol-admin principal list --json
        vol-admin org tree
        vol-admin import volunteers examples/volunteers.csv

      Exit codes: 0 success; 1 the server refused or failed the call; 2 usage error or \
      missing/unreadable certificate files; 3 the server could not be reached.
      """,
    subcommands: [
      HealthCommand.self, VolunteerCommand.self, ActivityCommand.self, HoursCommand.self,
      ImportCommand.self, OrgCommand.self, PrincipalCommand.self, StatsCommand.self,
      EvaluateCommand.self, PolicyCommand.self, CredentialCommand.self, KeysCommand.self,
      AuditCommand.self, BackupCommand.self,
    ]
  )

  /// Runs the command like `AsyncParsableCommand.main()`, except that usage errors exit
  /// with code 2 (ArgumentParser's own choice is EX_USAGE, 64).
  static func main() async {
    do {
      var command = try await asyncParseAsRoot()
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      if exitCode(for: error) == .validationFailure {
        let message = fullMessage(for: error)
        Console.error(message)
        exit(withError: ExitCode(ExitStatus.usage))
      }
      exit(withError: error)
    }
  }
}
