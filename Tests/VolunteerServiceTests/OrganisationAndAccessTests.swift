import Foundation
import GRPCCore
import NIOCore
import SwiftProtobuf
import Testing
import WireProtocol

@testable import VolunteerService

/// Passes request and response bytes through unchanged, so any method can be called
/// with a default (empty) request without knowing its message types.
struct RawBytesSerializer: MessageSerializer, MessageDeserializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
  func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
    serializedMessageBytes.withUnsafeBytes { Array($0) }
  }
}

@Suite("Organisations and access control")
struct OrganisationAndAccessTests {
  /// Every method of every service the server registers.
  static let allMethods: [MethodDescriptor] =
    Volunteer_V1_Health.Method.descriptors + Volunteer_V1_Volunteers.Method.descriptors
    + Volunteer_V1_Principals.Method.descriptors + Volunteer_V1_Organisations.Method.descriptors
    + Volunteer_V1_Activities.Method.descriptors + Volunteer_V1_Hours.Method.descriptors
    + Volunteer_V1_Statistics.Method.descriptors + Volunteer_V1_Recognition.Method.descriptors
    + Volunteer_V1_Evaluations.Method.descriptors + Volunteer_V1_Credentials.Method.descriptors
    + Volunteer_V1_Audit.Method.descriptors + Volunteer_V1_Operations.Method.descriptors

  @Test("every RPC has a role policy, so none is reachable by accident")
  func everyMethodHasAPolicy() {
    for method in Self.allMethods {
      #expect(!MethodPolicy.roles(allowedToCall: method).isEmpty, "\(method) has no policy")
    }
    #expect(Set(MethodPolicy.methods) == Set(Self.allMethods.map(\.fullyQualifiedMethod)))
  }

  @Test("method × role matrix: a role outside a method's policy is PERMISSION_DENIED, nothing else is", arguments: StoreKind.allCases)
  func roleMatrix(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        let principals = Volunteer_V1_Principals.Client(wrapping: admin)
        for (id, role) in [
          ("spiffe://volunteer/partner/dev-partner", Volunteer_V1_Role.partner),
          ("spiffe://volunteer/auditor/dev-auditor", .auditor),
        ] {
          _ = try await principals.addPrincipal(
            .with {
              $0.id = id
              $0.role = role
              $0.scopeOrganisationID = "national"
            })
        }
      }
      for (certificate, role) in [("admin", Role.admin), ("partner", .partner), ("auditor", .auditor)] {
        try await withClient(port: port, certificate: certificate) { client in
          for method in Self.allMethods {
            let allowed = MethodPolicy.roles(allowedToCall: method).contains(role)
            var code: RPCError.Code?
            do {
              _ = try await client.unary(
                request: ClientRequest(message: []), descriptor: method,
                serializer: RawBytesSerializer(), deserializer: RawBytesSerializer(),
                options: .defaults
              ) { try $0.message }
            } catch let error as RPCError {
              code = error.code
            }
            if allowed {
              #expect(code != .permissionDenied && code != .unauthenticated, "\(role) → \(method): \(String(describing: code))")
            } else {
              #expect(code == .permissionDenied, "\(role) → \(method): \(String(describing: code))")
            }
          }
        }
      }
    }
  }

  @Test("the tree grows inside the scope; outside it everything is NOT_FOUND", arguments: StoreKind.allCases)
  func organisationTree(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        let organisations = Volunteer_V1_Organisations.Client(wrapping: admin)
        func create(_ id: String, parent: String, kind: Volunteer_V1_OrganisationKind, region: String)
          async throws -> Volunteer_V1_Organisation
        {
          try await organisations.createOrganisation(
            .with {
              $0.id = id
              $0.parentID = parent
              $0.kind = kind
              $0.name = id.capitalized
              $0.regionCode = region
            })
        }
        let beijing = try await create("beijing", parent: "national", kind: .province, region: "110000")
        #expect(beijing.depth == 1)
        _ = try await create("chaoyang", parent: "beijing", kind: .county, region: "110105")
        _ = try await create("shanghai", parent: "national", kind: .province, region: "310000")

        let subtree = try await organisations.getSubtree(.with { $0.id = "beijing" })
        #expect(subtree.organisations.map(\.id) == ["beijing", "chaoyang"])
        let children = try await organisations.listChildren(.with { $0.id = "national" })
        #expect(children.organisations.map(\.id) == ["beijing", "shanghai"])

        await expectRPCError(.alreadyExists) {
          _ = try await create("beijing", parent: "national", kind: .province, region: "110000")
        }
        let badRegion = await expectRPCError(.invalidArgument) {
          _ = try await create("x", parent: "national", kind: .province, region: "11000")
        }
        #expect(badRegion.hasPrefix("region_code:"))
        await expectRPCError(.invalidArgument) {
          _ = try await create("Bad/Id", parent: "national", kind: .province, region: "110000")
        }
        await expectRPCError(.notFound) {
          _ = try await create("y", parent: "atlantis", kind: .city, region: "110100")
        }
        // An unknown but well-formed region code is accepted (codes change over the years).
        _ = try await create("new-district", parent: "beijing", kind: .county, region: "119999")

        // An admin scoped to Beijing: Shanghai is invisible, whether it exists or not.
        _ = try await Volunteer_V1_Principals.Client(wrapping: admin).addPrincipal(
          .with {
            $0.id = "spiffe://volunteer/partner/dev-partner"
            $0.role = .admin
            $0.scopeOrganisationID = "beijing"
          })
      }
      try await withClient(port: port, certificate: "partner") { beijingAdmin in
        let organisations = Volunteer_V1_Organisations.Client(wrapping: beijingAdmin)
        let own = try await organisations.getSubtree(.init())
        #expect(own.organisations.map(\.id) == ["beijing", "chaoyang", "new-district"])
        let hidden = await expectRPCError(.notFound) {
          _ = try await organisations.getOrganisation(.with { $0.id = "shanghai" })
        }
        let missing = await expectRPCError(.notFound) {
          _ = try await organisations.getOrganisation(.with { $0.id = "atlantis" })
        }
        #expect(hidden.replacingOccurrences(of: "shanghai", with: "X")
          == missing.replacingOccurrences(of: "atlantis", with: "X"))
        await expectRPCError(.notFound) {
          _ = try await organisations.createOrganisation(
            .with {
              $0.id = "pudong"
              $0.parentID = "shanghai"
              $0.kind = .county
              $0.name = "Pudong"
              $0.regionCode = "310115"
            })
        }
        let principals = try await Volunteer_V1_Principals.Client(wrapping: beijingAdmin)
          .listPrincipals(.init())
        #expect(principals.principals.map(\.id) == ["spiffe://volunteer/partner/dev-partner"])
      }
    }
  }

  @Test("a disabled principal is refused at once, also on its open connection", arguments: StoreKind.allCases)
  func disablingTakesEffectImmediately(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        let principals = Volunteer_V1_Principals.Client(wrapping: admin)
        _ = try await principals.addPrincipal(
          .with {
            $0.id = "spiffe://volunteer/partner/dev-partner"
            $0.role = .partner
            $0.scopeOrganisationID = "national"
          })
        try await withClient(port: port, certificate: "partner") { partner in
          let health = Volunteer_V1_Health.Client(wrapping: partner)
          _ = try await health.check(.init())
          let disabled = try await principals.disablePrincipal(
            .with { $0.id = "spiffe://volunteer/partner/dev-partner" })
          #expect(!disabled.enabled)
          let message = await expectRPCError(.unauthenticated) {
            _ = try await health.check(.init())
          }
          #expect(message.contains("disabled"))
          _ = try await principals.enablePrincipal(
            .with { $0.id = "spiffe://volunteer/partner/dev-partner" })
          _ = try await health.check(.init())
        }
        await expectRPCError(.failedPrecondition) {
          _ = try await principals.disablePrincipal(
            .with { $0.id = "spiffe://volunteer/admin/bootstrap" })
        }
        await expectRPCError(.notFound) {
          _ = try await principals.disablePrincipal(.with { $0.id = "spiffe://nobody" })
        }
      }
    }
  }
}
