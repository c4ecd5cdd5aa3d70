import ArgumentParser

/// Load generator for the Volunteer Records wire protocol (see docs/BENCHMARKS.md).
///
/// `wire-load run` (the default subcommand) drives unary calls over N mutual-TLS connections
/// with M calls in flight on each and reports throughput, latency percentiles and, given the
/// server's pid, the server's CPU time per call and its memory. `wire-load setup` registers
/// volunteers to read back with `--method get-volunteer`; `wire-load upload` measures batch
/// uploads of service records.
@main
struct WireLoad: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "wire-load",
    abstract: "Drive unary calls at a Volunteer Records server and measure them.",
    discussion: """
      Loopback or your own test hosts only: it sends as fast as the server answers.

      Examples:
        wire-load --port 7443 --method health --connections 4 --concurrency 16 --duration 10
        wire-load setup --port 7443            # prints a volunteer number
        wire-load upload --port 7443 --batches 20 --batch-size 1000   # records/s, fresh data
        wire-load --port 7443 --method get-volunteer --volunteer V0000000014 \\
          --server-pid $(pgrep -n volunteer-service) --json
      """,
    subcommands: [RunCommand.self, SetupCommand.self, UploadCommand.self, CredentialsCommand.self],
    defaultSubcommand: RunCommand.self
  )
}
