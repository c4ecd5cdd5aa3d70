import ArgumentParser
import Foundation
import GRPCCore
import WireProtocol

/// Where the service is, which credentials to present, and how to print results.
///
/// Defaults come from the environment (VOL_ADMIN_*) when set, so `--help` shows the values
/// that will actually be used.
struct ConnectionOptions: ParsableArguments {
  @Option(help: "Server host name or address (env VOL_ADMIN_HOST).")
  var host: String = Environment.value("VOL_ADMIN_HOST") ?? "127.0.0.1"

  @Option(help: "Server port (env VOL_ADMIN_PORT).")
  var port: Int = Environment.value("VOL_ADMIN_PORT").flatMap { Int($0) } ?? 7443

  @Option(
    help: ArgumentHelp(
      "PEM client certificate chain, leaf first (env VOL_ADMIN_CERT).", valueName: "path"))
  var cert: String = Environment.value("VOL_ADMIN_CERT") ?? "certs/dev/admin.crt"

  @Option(help: ArgumentHelp("PEM private key of the client certificate (env VOL_ADMIN_KEY).", valueName: "path"))
  var key: String = Environment.value("VOL_ADMIN_KEY") ?? "certs/dev/admin.key"

  @Option(
    help: ArgumentHelp("PEM CA certificate(s) the server must chain to (env VOL_ADMIN_CA).", valueName: "path"))
  var ca: String = Environment.value("VOL_ADMIN_CA") ?? "certs/dev/ca.crt"

  @Option(help: ArgumentHelp("Deadline of the call in seconds, connecting included.", valueName: "seconds"))
  var timeout: Double = 10

  @Flag(help: "Print one JSON object (or array) with snake_case keys instead of text.")
  var json = false

  func validate() throws {
    if let raw = Environment.value("VOL_ADMIN_PORT"), Int(raw) == nil {
      throw ValidationError("VOL_ADMIN_PORT must be a port number (1-65535), not '\(raw)'.")
    }
    guard (1...65535).contains(self.port) else {
      throw ValidationError("--port must be between 1 and 65535, not \(self.port).")
    }
    guard !self.host.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw ValidationError("--host must not be empty.")
    }
    guard self.timeout.isFinite, self.timeout > 0, self.timeout <= 86_400 else {
      throw ValidationError("--timeout must be a number of seconds above 0 (e.g. 10 or 2.5).")
    }
  }

  /// The call deadline.
  var deadline: Duration {
    .milliseconds(Int64((self.timeout * 1000).rounded(.up)))
  }

  /// Connects, runs `body` with a client and the call options, and shuts the client down.
  ///
  /// Any failure is reported as one line on standard error and rethrown as the `ExitCode`
  /// vol-admin promises: 1 for an error status from the server, 2 for missing or unreadable
  /// certificate files, 3 when the server cannot be reached.
  ///
  /// - Parameter retryHint: appended to the error line when the outcome of the call is unknown
  ///   (the deadline passed or the connection broke), e.g. how to retry safely.
  func withClient<Result: Sendable>(
    retryHint: String? = nil,
    _ body: (GRPCClient<WireClientTransport>, CallOptions) async throws -> Result
  ) async throws -> Result {
    let tls = try self.checkedTLSFiles()
    var configuration = WireClientTransport.Configuration(host: self.host, port: self.port, tls: tls)
    configuration.connectTimeout = min(self.deadline, .seconds(10))
    let transport = WireClientTransport(configuration: configuration)
    var options = CallOptions.defaults
    options.timeout = self.deadline

    do {
      // The body must not throw out of `withGRPCClient`: that cancels the task running the
      // transport's connection loop instead of shutting the transport down, and
      // WireClientTransport.connect() does not end on cancellation (it then hangs on an open
      // connection, or spins in its back-off loop). Returning normally makes withGRPCClient
      // shut the client down gracefully; the outcome is rethrown afterwards.
      let outcome: Swift.Result<Result, any Error> = try await withGRPCClient(
        transport: transport
      ) { client in
        do {
          return .success(try await body(client, options))
        } catch {
          return .failure(error)
        }
      }
      return try outcome.get()
    } catch let error as RPCError {
      var line = "error: \(error.code.upperSnakeCaseName)"
      let message = Self.oneLine(error.message)
      if !message.isEmpty { line += ": \(message)" }
      if let retryHint, [.deadlineExceeded, .cancelled, .unknown].contains(error.code) {
        line += " (\(retryHint))"
      }
      Console.error(line)
      throw ExitCode(error.code == .unavailable ? ExitStatus.cannotConnect : ExitStatus.serverError)
    } catch let exit as ExitCode {
      throw exit
    } catch {
      Console.error("error: \(Self.oneLine(String(describing: error)))")
      throw ExitCode(ExitStatus.serverError)
    }
  }

  /// Checks the certificate, key and CA files exist and load, naming what is missing.
  private func checkedTLSFiles() throws -> WireTLSFiles {
    let files = [
      (label: "client certificate", path: self.cert, option: "--cert", variable: "VOL_ADMIN_CERT"),
      (label: "client key", path: self.key, option: "--key", variable: "VOL_ADMIN_KEY"),
      (label: "CA certificate", path: self.ca, option: "--ca", variable: "VOL_ADMIN_CA"),
    ]
    let fileManager = FileManager.default
    var problems: [String] = []
    for file in files {
      var isDirectory: ObjCBool = false
      if !fileManager.fileExists(atPath: file.path, isDirectory: &isDirectory) {
        problems.append("\(file.label) \(Self.shown(file.path)) not found (\(file.option) / \(file.variable))")
      } else if isDirectory.boolValue {
        problems.append("\(file.label) \(Self.shown(file.path)) is a directory, not a PEM file (\(file.option))")
      } else if !fileManager.isReadableFile(atPath: file.path) {
        problems.append("\(file.label) \(Self.shown(file.path)) is not readable (\(file.option))")
      }
    }
    if !problems.isEmpty {
      Console.error(
        "error: \(problems.joined(separator: "; ")). Create the dev certificates with "
          + "certs/dev-pki.sh (from the repository root; it writes certs/dev/), "
          + "or point --cert/--key/--ca at your own.")
      throw ExitCode(ExitStatus.usage)
    }

    let tls = WireTLSFiles(
      certificateChainPath: self.cert, privateKeyPath: self.key, trustRootsPath: self.ca)
    do {
      // Loads and parses all three files; the result is rebuilt when connecting.
      _ = try tls.makeClientConfiguration()
    } catch {
      Console.error(
        "error: cannot load the TLS files (--cert \(self.cert), --key \(self.key), --ca \(self.ca)): "
          + "\(Self.oneLine(String(describing: error))). They must be PEM files; "
          + "certs/dev-pki.sh creates a working set.")
      throw ExitCode(ExitStatus.usage)
    }
    return tls
  }

  /// A path as given, with its absolute form when it is relative.
  private static func shown(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    return "\(path) (\(absolute))"
  }

  static func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).joined(separator: " ")
  }
}

/// Reads VOL_ADMIN_* variables; an empty value counts as unset.
enum Environment {
  static func value(_ name: String) -> String? {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
    return value
  }
}
