import GRPCCore

extension RPCError.Code {
  /// The canonical gRPC status name, e.g. `NOT_FOUND`: how CLIs print a code and metrics
  /// label it.
  public var upperSnakeCaseName: String {
    let names = [
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED",
    ]
    return names.indices.contains(self.rawValue) ? names[self.rawValue] : "CODE_\(self.rawValue)"
  }
}
