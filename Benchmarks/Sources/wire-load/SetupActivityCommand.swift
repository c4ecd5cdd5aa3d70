import ArgumentParser
import Foundation
import GRPCCore
import NIOPosix
import SwiftProtobuf
import WireProtocol

/// Creates and publishes the activity `run --method log-hours` records against.
struct SetupActivityCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "setup-activity",
    abstract: "Create and publish an activity spanning the last 360 days; print its id.",
    discussion: """
      As the given certificate (an admin or a partner scoped to --org). The activity covers \
      the slots `run --method log-hours` and `upload` write: one-hour records at 08, 10, 13 \
      and 15 o'clock on each of the last 360 days. Waits up to 10 s for the server first.
      """
  )

  @Option(help: ArgumentHelp("Organisation of the activity.", valueName: "org-id"))
  var org = "national"

  @OptionGroup
  var connection: ConnectionOptions

  func run() async throws {
    let client = GRPCClient(
      transport: WireClientTransport(
        configuration: self.connection.transportConfiguration,
        eventLoopGroup: MultiThreadedEventLoopGroup.singleton))
    let options = self.connection.callOptions
    do {
      let id = try await withClients([client]) { clients in
        try await waitUntilServing(clients[0], options: options)
        return try await Self.create(org: self.org, client: clients[0], options: options)
      }
      print(id)
    } catch let error as RPCError {
      reportFailure(error, host: self.connection.host, port: self.connection.port)
      throw ExitCode(error.code == .unavailable ? 3 : 1)
    }
  }

  /// Creates and publishes the activity; returns its id.
  static func create<Transport: ClientTransport>(
    org: String, client: GRPCClient<Transport>, options: CallOptions
  ) async throws -> String {
    let today = Calendar(identifier: .gregorian).startOfDay(for: Date())
    let activities = Volunteer_V1_Activities.Client(wrapping: client)
    let activity = try await activities.createActivity(
      .with {
        $0.idempotencyKey = "wire-load-activity-\(UUID().uuidString)"
        $0.organisationID = org
        $0.title = "Load benchmark"
        $0.category = .communityService
        $0.regionCode = "110105"
        $0.startTime = Google_Protobuf_Timestamp(
          date: today.addingTimeInterval(-Double(UploadCommand.days + 1) * 86_400))
        $0.endTime = Google_Protobuf_Timestamp(date: today)
        $0.plannedMinutes = 60
        $0.personInCharge = "wire-load"
      }, options: options)
    _ = try await activities.publishActivity(.with { $0.id = activity.id }, options: options)
    return activity.id
  }
}
