import Foundation
import GRPCCore
import Testing

@testable import WireProtocol

/// The wire form of metadata and the rules the server applies to request metadata.
@Suite("Metadata on the wire")
struct MetadataWireTests {
  static func entry(_ key: String, text: String) -> Volunteer_Wire_V1_MetadataEntry {
    var entry = Volunteer_Wire_V1_MetadataEntry()
    entry.key = key
    entry.text = text
    return entry
  }

  static func entry(_ key: String, binary: [UInt8]) -> Volunteer_Wire_V1_MetadataEntry {
    var entry = Volunteer_Wire_V1_MetadataEntry()
    entry.key = key
    entry.binary = Data(binary)
    return entry
  }

  static func entry(_ key: String) -> Volunteer_Wire_V1_MetadataEntry {
    var entry = Volunteer_Wire_V1_MetadataEntry()
    entry.key = key
    return entry
  }

  static func error(_ entries: [Volunteer_Wire_V1_MetadataEntry], limit: Int = 8192) -> RPCError? {
    do {
      _ = try Metadata(wireEntries: entries, limit: limit)
      return nil
    } catch {
      return error
    }
  }

  @Test(
    "grpc-timeout: 1 to 8 digits and a unit",
    arguments: [
      ("1H", Duration.seconds(3600)), ("2M", .seconds(120)), ("30S", .seconds(30)),
      ("500m", .milliseconds(500)), ("250u", .microseconds(250)), ("7n", .nanoseconds(7)),
      ("99999999H", .seconds(99_999_999 * 3600)), ("00000001S", .seconds(1)), ("0m", .zero),
    ])
  func validTimeouts(text: String, duration: Duration) {
    #expect(Metadata.parseTimeout(text) == duration)
  }

  @Test(
    "grpc-timeout: anything else is invalid",
    arguments: ["", "S", "5", "-1S", "+1S", "123456789S", "5s", "5h", "1.5S", " 5S", "5S ", "٣S", "5SS"])
  func invalidTimeouts(text: String) {
    #expect(Metadata.parseTimeout(text) == nil)
    let error = Self.error([Self.entry("grpc-timeout", text: text)])
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("grpc-timeout") == true)
  }

  @Test("the first grpc-timeout is the call's deadline; every one must be valid")
  func repeatedTimeouts() throws {
    let metadata = try Metadata(
      wireEntries: [Self.entry("grpc-timeout", text: "2S"), Self.entry("grpc-timeout", text: "1S")],
      limit: 100)
    #expect(metadata.wireTimeout == .seconds(2))
    #expect(
      Self.error([Self.entry("grpc-timeout", text: "2S"), Self.entry("grpc-timeout", text: "x")])?
        .code == .invalidArgument)
    #expect(Self.error([Self.entry("grpc-timeout")])?.code == .invalidArgument, "no value")
    #expect(try Metadata(wireEntries: [], limit: 0).wireTimeout == nil)
  }

  @Test(
    "keys are 1-255 characters of [0-9a-z_.-]",
    arguments: ["", "Upper", "with space", "colon:", "é", String(repeating: "k", count: 256)])
  func invalidKeys(key: String) {
    let error = Self.error([Self.entry(key, text: "v")])
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.hasPrefix("invalid metadata key") == true)
  }

  @Test("valid keys and values round-trip, in order, duplicates kept")
  func roundTrip() throws {
    let entries = [
      Self.entry("a-key_1.x", text: "printable ~ text"), Self.entry("trace-bin", binary: [0, 255, 10]),
      Self.entry("a-key_1.x", text: "second"), Self.entry(String(repeating: "k", count: 255), text: ""),
    ]
    let metadata = try Metadata(wireEntries: entries, limit: 8192)
    #expect(metadata.wireEntries == entries)
    #expect(metadata[stringValues: "a-key_1.x"].map { $0 } == ["printable ~ text", "second"])
  }

  @Test("text values must be printable ASCII; -bin keys carry bytes, others text")
  func valueKinds() {
    #expect(Self.error([Self.entry("k", text: "tab\t")])?.message.contains("printable ASCII") == true)
    #expect(Self.error([Self.entry("k", text: "\u{7F}")])?.code == .invalidArgument)
    #expect(Self.error([Self.entry("k", binary: [1])])?.code == .invalidArgument)
    #expect(Self.error([Self.entry("k-bin", text: "x")])?.code == .invalidArgument)
  }

  @Test("an entry without a value is an empty value of the key's kind")
  func noValue() throws {
    let metadata = try Metadata(wireEntries: [Self.entry("plain"), Self.entry("raw-bin")], limit: 100)
    #expect(metadata[stringValues: "plain"].map { $0 } == [""])
    #expect(metadata[binaryValues: "raw-bin"].map { $0 } == [[]])
    let entries = metadata.wireEntries
    #expect(entries[1].value == .binary(Data()))
  }

  @Test("the size counts key and value bytes; one byte over the limit is refused")
  func sizeLimit() throws {
    // 5 + 5 + 7 + 3 = 20 bytes.
    let entries = [Self.entry("key-a", text: "12345"), Self.entry("key-bin", binary: [1, 2, 3])]
    #expect(try Metadata(wireEntries: entries, limit: 20).wireSize == 20)
    let error = Self.error(entries, limit: 19)
    #expect(error?.code == .resourceExhausted)
    #expect(error?.message == "metadata exceeds the limit of 19 bytes")
  }
}
