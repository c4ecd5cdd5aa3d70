import Foundation
import Testing

@testable import VolunteerService

@Suite("Service configuration")
struct ServiceConfigurationTests {
  @Test("a file sets what it names, keeps defaults for the rest; the environment overrides it")
  func layering() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/config.json"
    try Data(#"{"port": 9443, "dataDirectory": "/srv/vrs", "limits": {"maxFrameSize": 65536}}"#.utf8)
      .write(to: URL(fileURLWithPath: file))

    var configuration = try ServiceConfiguration.load(file: file)
    #expect(configuration.port == 9443)
    #expect(configuration.dataDirectory == "/srv/vrs")
    #expect(configuration.limits.maxFrameSize == 65536)
    #expect(configuration.limits.maxMetadataSize == 8192)
    #expect(configuration.host == "127.0.0.1")
    #expect(configuration.timeZone == "Asia/Shanghai")

    try configuration.applyEnvironment(["VOLUNTEER_PORT": "7000", "VOLUNTEER_HOST": "0.0.0.0"])
    #expect(configuration.port == 7000)
    #expect(configuration.host == "0.0.0.0")
    #expect(configuration.dataDirectory == "/srv/vrs")
  }

  @Test("bad values are refused with the setting named")
  func badValues() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/config.json"
    try Data(#"{"port": "seven"}"#.utf8).write(to: URL(fileURLWithPath: file))
    let error = #expect(throws: ConfigurationError.self) { try ServiceConfiguration.load(file: file) }
    #expect(error?.message.hasPrefix("port") == true)

    var configuration = ServiceConfiguration()
    #expect(throws: ConfigurationError.self) {
      try configuration.applyEnvironment(["VOLUNTEER_PORT": "x"])
    }
    configuration.timeZone = "Mars/Olympus"
    configuration.certificatePath = TestPKI.path("server.crt")
    configuration.privateKeyPath = TestPKI.path("server.key")
    configuration.clientCAPath = TestPKI.path("ca.crt")
    let zone = #expect(throws: ConfigurationError.self) { try configuration.validate() }
    #expect(zone?.message.contains("Mars/Olympus") == true)
    configuration.timeZone = "Asia/Shanghai"
    configuration.certificatePath = "/nonexistent.crt"
    let missing = #expect(throws: ConfigurationError.self) { try configuration.validate() }
    #expect(missing?.message.hasPrefix("certificatePath") == true)
    #expect(throws: ConfigurationError.self) {
      try ServiceConfiguration.load(file: directory + "/absent.json")
    }
  }
}
