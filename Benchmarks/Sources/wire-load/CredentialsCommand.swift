import ArgumentParser
import BenchmarkSupport
import Foundation
import GRPCCore
import NIOPosix
import SwiftProtobuf
import WireProtocol

/// Issues credentials in bulk, to measure issuance and to give exports something to stream.
struct CredentialsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "credentials",
    abstract: "Issue --count credentials (admin certificate) and report credentials/s.",
    discussion: """
      Registers one volunteer (as `setup` does), gives it an activity with two approved \
      one-hour records, then calls Credentials.IssueCredential --count times with distinct \
      idempotency keys, --concurrency calls in flight on one connection. Then time \
      `vol-admin credential export` against the same server (Benchmarks/run-export.sh).
      """
  )

  @Option(help: "Credentials to issue.")
  var count = 1_000

  @Option(help: "Calls in flight.")
  var concurrency = 16

  @OptionGroup
  var connection: ConnectionOptions

  func run() async throws {
    let client = GRPCClient(
      transport: WireClientTransport(
        configuration: self.connection.transportConfiguration,
        eventLoopGroup: MultiThreadedEventLoopGroup.singleton))
    do {
      try await withClients([client]) { clients in try await self.issue(clients[0]) }
    } catch let error as RPCError {
      reportFailure(error, host: self.connection.host, port: self.connection.port)
      throw ExitCode(error.code == .unavailable ? 3 : 1)
    }
  }

  private func issue(_ client: GRPCClient<WireClientTransport>) async throws {
    let options = self.connection.callOptions
    try await waitUntilServing(client, options: options)
    let number = try await SetupCommand.register(count: 1, org: "national", client: client, options: options)[0]
    let today = Calendar(identifier: .gregorian).startOfDay(for: Date())
    let activities = Volunteer_V1_Activities.Client(wrapping: client)
    let activity = try await activities.createActivity(
      .with {
        $0.idempotencyKey = "wire-load-credentials-activity"
        $0.organisationID = "national"
        $0.title = "Credential benchmark"
        $0.category = .communityService
        $0.regionCode = "110105"
        $0.startTime = Google_Protobuf_Timestamp(date: today.addingTimeInterval(-3 * 86_400))
        $0.endTime = Google_Protobuf_Timestamp(date: today)
        $0.plannedMinutes = 60
        $0.personInCharge = "wire-load"
      }, options: options)
    _ = try await activities.publishActivity(.with { $0.id = activity.id }, options: options)
    let hours = Volunteer_V1_Hours.Client(wrapping: client)
    var records: [String] = []
    for day in 1...2 {
      let start = today.addingTimeInterval(-Double(day) * 86_400 + 9 * 3_600)
      records.append(
        try await hours.logHours(
          .with {
            $0.idempotencyKey = "wire-load-credentials-record-\(day)"
            $0.volunteerNumber = number
            $0.activityID = activity.id
            $0.startTime = Google_Protobuf_Timestamp(date: start)
            $0.endTime = Google_Protobuf_Timestamp(date: start.addingTimeInterval(3_600))
            $0.content = "benchmark"
            $0.travelTimeExcluded = true
          }, options: options
        ).id)
    }
    _ = try await hours.approveRecords(.with { $0.recordIds = records }, options: options)

    let credentials = Volunteer_V1_Credentials.Client(wrapping: client)
    let run = UUID().uuidString.prefix(8)
    let clock = ContinuousClock()
    let started = clock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
      for index in 0..<self.count {
        if index >= self.concurrency { try await group.next() }
        group.addTask {
          _ = try await credentials.issueCredential(
            .with {
              $0.idempotencyKey = "wire-load-\(run)-\(index)"
              $0.volunteerNumber = number
            }, options: options)
        }
      }
      try await group.waitForAll()
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(String(format: "issued %d credentials in %.2f s: %.0f credentials/s", self.count, seconds, Double(self.count) / seconds))
  }
}
