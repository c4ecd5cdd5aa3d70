from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

CREDENTIAL_STATUS_ACTIVE: CredentialStatus
CREDENTIAL_STATUS_REVOKED: CredentialStatus
CREDENTIAL_STATUS_SUSPENDED: CredentialStatus
CREDENTIAL_STATUS_UNSPECIFIED: CredentialStatus
DESCRIPTOR: _descriptor.FileDescriptor

class Credential(_message.Message):
    __slots__ = ["evidence_digest", "evidence_records", "issued_at", "issued_by", "kid", "number", "organisation_id", "policy_id", "policy_version", "star_level", "status", "status_changed_at", "status_reason", "token", "valid_until", "volunteer_number"]
    EVIDENCE_DIGEST_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_RECORDS_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    ISSUED_BY_FIELD_NUMBER: _ClassVar[int]
    KID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    STAR_LEVEL_FIELD_NUMBER: _ClassVar[int]
    STATUS_CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    evidence_digest: str
    evidence_records: int
    issued_at: _timestamp_pb2.Timestamp
    issued_by: str
    kid: str
    number: str
    organisation_id: str
    policy_id: str
    policy_version: int
    star_level: int
    status: CredentialStatus
    status_changed_at: _timestamp_pb2.Timestamp
    status_reason: str
    token: str
    valid_until: _timestamp_pb2.Timestamp
    volunteer_number: str
    def __init__(self, number: _Optional[str] = ..., volunteer_number: _Optional[str] = ..., organisation_id: _Optional[str] = ..., token: _Optional[str] = ..., kid: _Optional[str] = ..., issued_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[CredentialStatus, str]] = ..., status_reason: _Optional[str] = ..., status_changed_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., issued_by: _Optional[str] = ..., star_level: _Optional[int] = ..., policy_id: _Optional[str] = ..., policy_version: _Optional[int] = ..., evidence_digest: _Optional[str] = ..., evidence_records: _Optional[int] = ...) -> None: ...

class EvidenceChunk(_message.Message):
    __slots__ = ["text"]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    text: bytes
    def __init__(self, text: _Optional[bytes] = ...) -> None: ...

class ExportCredentialsRequest(_message.Message):
    __slots__ = ["issued_before", "issued_from", "organisation_id", "status"]
    ISSUED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    ISSUED_FROM_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    issued_before: _timestamp_pb2.Timestamp
    issued_from: _timestamp_pb2.Timestamp
    organisation_id: str
    status: CredentialStatus
    def __init__(self, organisation_id: _Optional[str] = ..., issued_from: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., issued_before: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[CredentialStatus, str]] = ...) -> None: ...

class ExportHeader(_message.Message):
    __slots__ = ["credentials", "jwks_json", "status_lists"]
    class StatusListsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    JWKS_JSON_FIELD_NUMBER: _ClassVar[int]
    STATUS_LISTS_FIELD_NUMBER: _ClassVar[int]
    credentials: int
    jwks_json: bytes
    status_lists: _containers.ScalarMap[str, str]
    def __init__(self, jwks_json: _Optional[bytes] = ..., status_lists: _Optional[_Mapping[str, str]] = ..., credentials: _Optional[int] = ...) -> None: ...

class ExportPart(_message.Message):
    __slots__ = ["credential_line", "header", "manifest_jwt"]
    CREDENTIAL_LINE_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_JWT_FIELD_NUMBER: _ClassVar[int]
    credential_line: bytes
    header: ExportHeader
    manifest_jwt: str
    def __init__(self, header: _Optional[_Union[ExportHeader, _Mapping]] = ..., credential_line: _Optional[bytes] = ..., manifest_jwt: _Optional[str] = ...) -> None: ...

class GetCredentialRequest(_message.Message):
    __slots__ = ["number"]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    number: str
    def __init__(self, number: _Optional[str] = ...) -> None: ...

class GetKeySetRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetStatusListRequest(_message.Message):
    __slots__ = ["purpose"]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    purpose: str
    def __init__(self, purpose: _Optional[str] = ...) -> None: ...

class IssueCredentialRequest(_message.Message):
    __slots__ = ["idempotency_key", "include_identity_hash", "valid_days", "volunteer_number"]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_IDENTITY_HASH_FIELD_NUMBER: _ClassVar[int]
    VALID_DAYS_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    include_identity_hash: bool
    valid_days: int
    volunteer_number: str
    def __init__(self, idempotency_key: _Optional[str] = ..., volunteer_number: _Optional[str] = ..., valid_days: _Optional[int] = ..., include_identity_hash: bool = ...) -> None: ...

class KeyRequest(_message.Message):
    __slots__ = ["kid"]
    KID_FIELD_NUMBER: _ClassVar[int]
    kid: str
    def __init__(self, kid: _Optional[str] = ...) -> None: ...

class KeySet(_message.Message):
    __slots__ = ["jwks_json", "signing_kid"]
    JWKS_JSON_FIELD_NUMBER: _ClassVar[int]
    SIGNING_KID_FIELD_NUMBER: _ClassVar[int]
    jwks_json: bytes
    signing_kid: str
    def __init__(self, jwks_json: _Optional[bytes] = ..., signing_kid: _Optional[str] = ...) -> None: ...

class RotateKeyRequest(_message.Message):
    __slots__ = ["activation_delay_seconds"]
    ACTIVATION_DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    activation_delay_seconds: int
    def __init__(self, activation_delay_seconds: _Optional[int] = ...) -> None: ...

class SetCredentialStatusRequest(_message.Message):
    __slots__ = ["number", "reason", "status"]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    number: str
    reason: str
    status: CredentialStatus
    def __init__(self, number: _Optional[str] = ..., status: _Optional[_Union[CredentialStatus, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class StatusList(_message.Message):
    __slots__ = ["jwt", "purpose"]
    JWT_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    jwt: str
    purpose: str
    def __init__(self, purpose: _Optional[str] = ..., jwt: _Optional[str] = ...) -> None: ...

class VerifyCredentialRequest(_message.Message):
    __slots__ = ["token"]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class VerifyCredentialResponse(_message.Message):
    __slots__ = ["kid", "number", "problems", "status", "valid"]
    KID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    kid: str
    number: str
    problems: _containers.RepeatedScalarFieldContainer[str]
    status: CredentialStatus
    valid: bool
    def __init__(self, valid: bool = ..., problems: _Optional[_Iterable[str]] = ..., number: _Optional[str] = ..., status: _Optional[_Union[CredentialStatus, str]] = ..., kid: _Optional[str] = ...) -> None: ...

class CredentialStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
