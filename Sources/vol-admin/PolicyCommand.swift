import ArgumentParser
import Foundation
import SwiftProtobuf
import WireProtocol

struct PolicyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "policy",
    abstract: "List, show and load evaluation policies.",
    discussion: """
      An evaluation policy is a versioned JSON document: star thresholds, annual tiers by age \
      group, the lifetime award, second-classroom modules and the ledger's rounding and daily \
      caps. The service loads Policies/*.json at start; `policy load` adds a version while it \
      runs (admins scoped to the root organisation only). Old versions are kept, and an \
      evaluation names the version it used.

      Example:
        vol-admin policy list
        vol-admin policy show beijing
        vol-admin policy show national --version 1 > national-v1.json
        vol-admin policy load Policies/beijing.json
      """,
    subcommands: [PolicyListCommand.self, PolicyShowCommand.self, PolicyLoadCommand.self]
  )
}

struct PolicyListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List every stored policy version, newest first.")

  @OptionGroup
  var connection: ConnectionOptions

  func run() async throws {
    let response = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Evaluations.Client(wrapping: client).listPolicies(.init(), options: options)
    }
    let views = response.policies.map(PolicyView.init)
    if self.connection.json {
      try Output.json(views)
      return
    }
    Output.table(
      header: ["ID", "VERSION", "DEFAULT", "TITLE", "LOADED AT", "LOADED BY"],
      rows: views.map {
        [$0.id, String($0.version), $0.isDefault ? "yes" : "", $0.title, Output.humanTime($0.loadedAt), $0.loadedBy]
      })
  }
}

struct PolicyShowCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Print a policy document (the newest version unless --version is given).")

  @Argument(help: ArgumentHelp("Policy id, e.g. national.", valueName: "id"))
  var id: String

  @Option(help: ArgumentHelp("The version to show.", valueName: "n"))
  var version: UInt32?

  @OptionGroup
  var connection: ConnectionOptions

  func validate() throws {
    if self.version == 0 { throw ValidationError("--version starts at 1.") }
  }

  func run() async throws {
    let policy = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Evaluations.Client(wrapping: client).getPolicy(
        .with {
          $0.id = self.id
          $0.version = self.version ?? 0
        }, options: options)
    }
    if self.connection.json {
      try Output.json(PolicyView(policy))
      return
    }
    // The document itself, so it can be saved, edited and loaded again.
    Console.out(policy.documentJson)
  }
}

struct PolicyLoadCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "load",
    abstract: "Load a policy document as a new version.",
    discussion: """
      The document's version must be above the newest stored version of its id; loading the \
      same document again changes nothing. A malformed document is refused with the JSON \
      path at fault (e.g. annual_tiers[2].gold_hours) and the running versions stay.
      """)

  @Argument(help: ArgumentHelp("The policy document (JSON).", valueName: "file"))
  var file: String

  @OptionGroup
  var connection: ConnectionOptions

  func run() async throws {
    guard let data = FileManager.default.contents(atPath: self.file) else {
      Console.error("vol-admin: cannot read \(self.file)")
      throw ExitCode(ExitStatus.usage)
    }
    guard let document = String(data: data, encoding: .utf8) else {
      Console.error("vol-admin: \(self.file) is not UTF-8 text")
      throw ExitCode(ExitStatus.usage)
    }
    let policy = try await self.connection.withClient { client, options in
      try await Volunteer_V1_Evaluations.Client(wrapping: client).loadPolicy(
        .with { $0.documentJson = document }, options: options)
    }
    let view = PolicyView(policy)
    if self.connection.json {
      try Output.json(view)
      return
    }
    Output.keyValues([
      ("id", view.id), ("version", String(view.version)), ("title", view.title),
      ("loaded at", Output.humanTime(view.loadedAt)), ("loaded by", view.loadedBy),
    ])
  }
}

struct PolicyView: Encodable {
  var id: String
  var version: Int
  var title: String
  var isDefault: Bool
  var loadedAt: String?
  var loadedBy: String

  init(_ policy: Volunteer_V1_Policy) {
    self.id = policy.id
    self.version = Int(policy.version)
    self.title = policy.title
    self.isDefault = policy.isDefault
    self.loadedAt = policy.hasLoadedAt ? policy.loadedAt.date.formatted(.iso8601) : nil
    self.loadedBy = policy.loadedBy
  }

  enum CodingKeys: String, CodingKey {
    case id, version, title
    case isDefault = "is_default"
    case loadedAt = "loaded_at"
    case loadedBy = "loaded_by"
  }
}
