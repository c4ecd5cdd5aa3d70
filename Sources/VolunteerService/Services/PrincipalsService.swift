import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Principals`: the registry of who may call the service. Admins only (see
/// ``MethodPolicy``), and only inside their own scope.
struct PrincipalsService: Volunteer_V1_Principals.SimpleServiceProtocol {
  let store: any RecordStore

  func addPrincipal(
    request: Volunteer_V1_AddPrincipalRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Principal {
    let caller = try Caller.required()
    return try await withDomainErrors {
      let id = request.id.trimmingCharacters(in: .whitespaces)
      try Principal.validateID(id)
      let role = try Role(proto: request.role)
      let scopeID = request.scopeOrganisationID.trimmingCharacters(in: .whitespaces)
      guard
        !scopeID.isEmpty,
        try await self.store.organisation(id: scopeID, withinScope: caller.scopeOrganisationID)
          != nil
      else {
        throw RPCError.notFoundInScope("organisation \"\(scopeID)\"", field: "scope_organisation_id")
      }
      let displayName = request.displayName.trimmingCharacters(in: .whitespaces)
      let principal = Principal(
        id: id, role: role, scopeOrganisationID: scopeID,
        displayName: displayName.isEmpty ? id : displayName, createdAt: Date(),
        createdBy: caller.id)
      try await self.store.addPrincipal(principal)
      return principal.proto
    }
  }

  func disablePrincipal(
    request: Volunteer_V1_SetPrincipalEnabledRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Principal {
    let caller = try Caller.required()
    guard request.id != caller.id else {
      throw RPCError(
        code: .failedPrecondition,
        message: "an admin cannot disable itself; ask another admin of your scope")
    }
    return try await self.setEnabled(false, id: request.id, caller: caller)
  }

  func enablePrincipal(
    request: Volunteer_V1_SetPrincipalEnabledRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Principal {
    try await self.setEnabled(true, id: request.id, caller: try Caller.required())
  }

  private func setEnabled(_ enabled: Bool, id: String, caller: Principal) async throws
    -> Volunteer_V1_Principal
  {
    guard
      let principal = try await self.store.setPrincipalEnabled(
        id: id, enabled: enabled, withinScope: caller.scopeOrganisationID)
    else {
      throw RPCError.notFoundInScope("principal \"\(id)\"")
    }
    return principal.proto
  }

  func listPrincipals(
    request: Volunteer_V1_ListPrincipalsRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ListPrincipalsResponse {
    let caller = try Caller.required()
    let principals = try await self.store.principals(withinScope: caller.scopeOrganisationID)
    return .with { $0.principals = principals.map(\.proto) }
  }
}
