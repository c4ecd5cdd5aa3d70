import GRPCCore
import WireProtocol

/// Which roles may call which method: the one table every RPC's role check reads.
///
/// A method missing from the table is refused for every role, so adding an RPC without
/// deciding who may call it fails closed.
public enum MethodPolicy {
  private static let allowedRoles: [String: Set<Role>] = [
    Volunteer_V1_Health.Method.Check.descriptor.fullyQualifiedMethod: [.admin, .partner, .auditor],
    // The audit log: admins and auditors, and only those scoped to the root (AuditService).
    Volunteer_V1_Audit.Method.VerifyAudit.descriptor.fullyQualifiedMethod: [.admin, .auditor],
    Volunteer_V1_Audit.Method.GetAuditHead.descriptor.fullyQualifiedMethod: [.admin, .auditor],
    Volunteer_V1_Audit.Method.ExportAudit.descriptor.fullyQualifiedMethod: [.admin, .auditor],
    Volunteer_V1_Audit.Method.CreateCheckpoint.descriptor.fullyQualifiedMethod: [.admin],
    // A backup holds everything: admins scoped to the root (OperationsService).
    Volunteer_V1_Operations.Method.Backup.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Volunteers.Method.RegisterVolunteer.descriptor.fullyQualifiedMethod: [.admin, .partner],
    Volunteer_V1_Volunteers.Method.GetVolunteer.descriptor.fullyQualifiedMethod: [.admin, .partner, .auditor],
    Volunteer_V1_Volunteers.Method.ListVolunteers.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Volunteers.Method.TransferVolunteer.descriptor.fullyQualifiedMethod: [
      .admin, .partner,
    ],
    Volunteer_V1_Volunteers.Method.WithdrawVolunteer.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Activities.Method.CreateActivity.descriptor.fullyQualifiedMethod: [.admin, .partner],
    Volunteer_V1_Activities.Method.PublishActivity.descriptor.fullyQualifiedMethod: [.admin, .partner],
    Volunteer_V1_Activities.Method.CloseActivity.descriptor.fullyQualifiedMethod: [.admin, .partner],
    Volunteer_V1_Activities.Method.GetActivity.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Activities.Method.ListActivities.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Hours.Method.LogHours.descriptor.fullyQualifiedMethod: [.admin, .partner],
    Volunteer_V1_Hours.Method.UploadHours.descriptor.fullyQualifiedMethod: [.admin, .partner],
    Volunteer_V1_Hours.Method.ApproveRecords.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Hours.Method.RejectRecords.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Hours.Method.ListRecords.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Hours.Method.CorrectRecord.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Statistics.Method.GetStatistics.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Recognition.Method.RecordTraining.descriptor.fullyQualifiedMethod: [.admin, .partner],
    Volunteer_V1_Recognition.Method.RecordAward.descriptor.fullyQualifiedMethod: [.admin, .partner],
    Volunteer_V1_Recognition.Method.ListRecognition.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Principals.Method.AddPrincipal.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Principals.Method.ListPrincipals.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Principals.Method.DisablePrincipal.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Principals.Method.EnablePrincipal.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Organisations.Method.CreateOrganisation.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Organisations.Method.GetOrganisation.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Organisations.Method.ListChildren.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Organisations.Method.GetSubtree.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Evaluations.Method.Evaluate.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Evaluations.Method.ListPolicies.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Evaluations.Method.GetPolicy.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Evaluations.Method.LoadPolicy.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Credentials.Method.IssueCredential.descriptor.fullyQualifiedMethod: [.admin, .partner],
    Volunteer_V1_Credentials.Method.GetCredential.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Credentials.Method.VerifyCredential.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Credentials.Method.SetCredentialStatus.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Credentials.Method.ExportEvidence.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Credentials.Method.ExportCredentials.descriptor.fullyQualifiedMethod: [
      .admin, .auditor,
    ],
    Volunteer_V1_Credentials.Method.GetKeySet.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Credentials.Method.GetStatusList.descriptor.fullyQualifiedMethod: [
      .admin, .partner, .auditor,
    ],
    Volunteer_V1_Credentials.Method.RotateKey.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Credentials.Method.RetireKey.descriptor.fullyQualifiedMethod: [.admin],
    Volunteer_V1_Credentials.Method.MarkKeyCompromised.descriptor.fullyQualifiedMethod: [.admin],
  ]

  /// Every method with a policy, as `package.Service/Method`.
  public static var methods: [String] { Array(Self.allowedRoles.keys) }

  /// The roles allowed to call `method`; empty when no policy exists.
  public static func roles(allowedToCall method: MethodDescriptor) -> Set<Role> {
    Self.allowedRoles[method.fullyQualifiedMethod] ?? []
  }
}
