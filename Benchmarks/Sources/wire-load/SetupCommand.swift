import ArgumentParser
import GRPCCore
import NIOPosix
import WireProtocol

/// Registers volunteers for `--method get-volunteer` and prints their numbers, one a line.
struct SetupCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "setup",
    abstract: "Register volunteers to read back, printing their numbers one per line.",
    discussion: """
      Calls Volunteers.RegisterVolunteer as the given certificate (the bootstrap admin by \
      default) with made-up resident IDs (born 1949-12-31) and fixed idempotency keys \
      (wire-load-setup-N), so running it again on the same data returns the same numbers. \
      Waits up to 10 s for the server to answer first.
      """
  )

  @Option(help: "How many volunteers to register (1-999).")
  var count = 1

  @Option(help: ArgumentHelp("Organisation to register them under.", valueName: "org-id"))
  var org = "national"

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    guard (1...999).contains(self.count) else {
      throw ValidationError("--count must be between 1 and 999.")
    }
  }

  func run() async throws {
    let client = GRPCClient(
      transport: WireClientTransport(
        configuration: self.connection.transportConfiguration,
        eventLoopGroup: MultiThreadedEventLoopGroup.singleton))
    let options = self.connection.callOptions
    let numbers: [String]
    do {
      numbers = try await self.register(client: client, options: options)
    } catch let error as RPCError {
      reportFailure(error, host: self.connection.host, port: self.connection.port)
      throw ExitCode(error.code == .unavailable ? 3 : 1)
    }
    for number in numbers { print(number) }
  }

  private func register(
    client: GRPCClient<WireClientTransport>, options: CallOptions
  ) async throws -> [String] {
    try await withClients([client]) { clients in
      try await waitUntilServing(clients[0], options: options)
      return try await Self.register(
        count: self.count, org: self.org, client: clients[0], options: options)
    }
  }

  /// Registers volunteers 1...`count` under `org` with the fixed keys `wire-load-setup-N`
  /// (a rerun on the same data returns the same numbers) on a running `client`.
  static func register<Transport: ClientTransport>(
    count: Int, org: String, client: GRPCClient<Transport>, options: CallOptions
  ) async throws -> [String] {
    let volunteers = Volunteer_V1_Volunteers.Client(wrapping: client)
    var numbers: [String] = []
    for index in 1...count {
      var request = Volunteer_V1_RegisterVolunteerRequest()
      request.idempotencyKey = "wire-load-setup-\(index)"
      request.realName = "张三"
      request.documentType = .residentID
      request.documentNumber = Self.residentID(sequence: index)
      request.organisationID = org
      let response = try await volunteers.registerVolunteer(request, options: options)
      numbers.append(response.volunteer.volunteerNumber)
    }
    return numbers
  }

  /// A valid 18-character resident ID (GB 11643-1999) for Beijing Chaoyang, born 1949-12-31,
  /// with `sequence` (1-999) as its order code; sequence 2 gives 11010519491231002X.
  static func residentID(sequence: Int) -> String {
    let sequenceDigits = String(sequence)
    let body = "11010519491231" + String(repeating: "0", count: 3 - sequenceDigits.count) + sequenceDigits
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(body, weights).reduce(0) { $0 + $1.0.wholeNumberValue! * $1.1 }
    let check = Array("10X98765432")[sum % 11]
    return body + String(check)
  }
}
