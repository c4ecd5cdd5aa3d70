import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Organisations`: the organisation tree, read and grown inside the caller's
/// scope. Anything outside the scope is NOT_FOUND, exactly like something that does not exist.
struct OrganisationsService: Volunteer_V1_Organisations.SimpleServiceProtocol {
  let store: any RecordStore

  func createOrganisation(
    request: Volunteer_V1_CreateOrganisationRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Organisation {
    let caller = try Caller.required()
    return try await withDomainErrors {
      try Organisation.validateID(request.id)
      try Organisation.validateID(request.parentID, field: "parent_id")
      let kind = try Organisation.Kind(proto: request.kind)
      guard kind != .national else {
        throw IdentityValidationError(
          field: "kind", reason: "there is one national organisation, the root of the tree")
      }
      let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
      guard (1...100).contains(name.count) else {
        throw IdentityValidationError(field: "name", reason: "a name of 1-100 characters is required")
      }
      try Organisation.validateRegionCode(request.regionCode)
      guard
        try await self.store.organisation(id: request.parentID, withinScope: caller.scopeOrganisationID)
          != nil
      else {
        throw Self.notFound(request.parentID, field: "parent_id")
      }
      let created = try await self.store.addOrganisation(
        Organisation(
          id: request.id, parentID: request.parentID, kind: kind, name: name,
          regionCode: request.regionCode, path: ""))
      return created.proto
    }
  }

  func getOrganisation(
    request: Volunteer_V1_GetOrganisationRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Organisation {
    let caller = try Caller.required()
    guard
      let organisation = try await self.store.organisation(
        id: request.id, withinScope: caller.scopeOrganisationID)
    else { throw Self.notFound(request.id, field: "id") }
    return organisation.proto
  }

  func listChildren(
    request: Volunteer_V1_ListChildrenRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ListOrganisationsResponse {
    let caller = try Caller.required()
    guard
      let children = try await self.store.children(
        of: request.id, withinScope: caller.scopeOrganisationID)
    else { throw Self.notFound(request.id, field: "id") }
    return .with { $0.organisations = children.map(\.proto) }
  }

  func getSubtree(
    request: Volunteer_V1_GetSubtreeRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ListOrganisationsResponse {
    let caller = try Caller.required()
    let root = request.id.isEmpty ? caller.scopeOrganisationID : request.id
    guard
      let subtree = try await self.store.subtree(of: root, withinScope: caller.scopeOrganisationID)
    else { throw Self.notFound(root, field: "id") }
    return .with { $0.organisations = subtree.map(\.proto) }
  }

  private static func notFound(_ id: String, field: String) -> RPCError {
    RPCError.notFoundInScope("organisation \"\(id)\"", field: field)
  }
}
