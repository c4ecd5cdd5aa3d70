import ArgumentParser

/// Load generator for the Volunteer Records wire protocol (see docs/BENCHMARKS.md).
///
/// `wire-load run` (the default subcommand) drives unary calls over N mutual-TLS connections
/// with M calls in flight on each and reports throughput, latency percentiles and, given the
/// server's pid, the server's CPU time per call and its memory. `wire-load setup` registers
/// volunteers to read back with `--method get-volunteer`; `wire-load upload` measures batch
/// uploads of service records; `hold` measures memory per idle connection; `echo-server` is
/// the bare-NIO ceiling that `run --transport echo` drives.
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
        wire-load setup-activity --port 7443   # prints a published activity's id
        wire-load --port 7443 --method log-hours --activity A1 --volunteers-file v.txt
        wire-load --grpc-port 7444 --transport grpc --method health   # stock gRPC/HTTP2
        wire-load echo-server --cert s.crt --key s.key --client-ca ca.crt &   # the ceiling
        wire-load --port ECHO_PORT --transport echo
        wire-load hold --port 7443 --server-pid PID --steps 0 1000 10000
        wire-load upload --port 7443 --batches 20 --batch-size 1000   # records/s, fresh data
        wire-load --port 7443 --method get-volunteer --volunteer V0000000014 \\
          --server-pid $(pgrep -n volunteer-service) --json
      """,
    subcommands: [
      RunCommand.self, SetupCommand.self, SetupActivityCommand.self, UploadCommand.self,
      CredentialsCommand.self, HoldCommand.self, EchoServerCommand.self,
    ],
    defaultSubcommand: RunCommand.self
  )
}
