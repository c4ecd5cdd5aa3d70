import Foundation
import Testing

@testable import Credentials

@Suite struct Base64URLTests {
  @Test func roundTripsAllLengths() throws {
    var generator = SeededGenerator(seed: 1)
    for length in 0..<70 {
      let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let text = Base64URL.encode(bytes)
      #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
      #expect(try Base64URL.decode(text) == Data(bytes))
    }
  }

  @Test func knownAnswers() throws {
    #expect(Base64URL.encode(Data([0xFB, 0xFF])) == "-_8")
    #expect(Base64URL.encode(Data("Example of Ed25519 signing".utf8)) == "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc")
    #expect(try Base64URL.decode("-_8") == Data([0xFB, 0xFF]))
  }

  @Test func rejectsInvalidInput() {
    #expect(throws: Base64URLError.paddingNotAllowed(position: 3)) { try Base64URL.decode("-_8=") }
    #expect(throws: Base64URLError.invalidCharacter(position: 0)) { try Base64URL.decode("+/8") }
    #expect(throws: Base64URLError.invalidCharacter(position: 2)) { try Base64URL.decode("ab c") }
    #expect(throws: Base64URLError.invalidLength(5)) { try Base64URL.decode("abcde") }
    // "-_9" has non-zero unused bits: it would decode to the same bytes as "-_8".
    #expect(throws: Base64URLError.nonCanonical) { try Base64URL.decode("-_9") }
    #expect(throws: Base64URLError.invalidCharacter(position: 1)) { try Base64URL.decode("a\u{e9}") }
  }
}
