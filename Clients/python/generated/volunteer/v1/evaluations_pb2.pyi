from google.protobuf import timestamp_pb2 as _timestamp_pb2
from volunteer.v1 import volunteers_pb2 as _volunteers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

ANNUAL_TIER_BRONZE: AnnualTier
ANNUAL_TIER_GOLD: AnnualTier
ANNUAL_TIER_NONE: AnnualTier
ANNUAL_TIER_SILVER: AnnualTier
DESCRIPTOR: _descriptor.FileDescriptor

class EvaluateRequest(_message.Message):
    __slots__ = ["as_of", "policy_id", "policy_version", "volunteer_number"]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    as_of: _volunteers_pb2.Date
    policy_id: str
    policy_version: int
    volunteer_number: str
    def __init__(self, volunteer_number: _Optional[str] = ..., as_of: _Optional[_Union[_volunteers_pb2.Date, _Mapping]] = ..., policy_id: _Optional[str] = ..., policy_version: _Optional[int] = ...) -> None: ...

class Evaluation(_message.Message):
    __slots__ = ["activities", "age", "annual_tier", "approved_records", "as_of", "evaluated_at", "lifetime_award", "lifetime_credited_half_hours", "lifetime_minutes", "modules", "next_star_hours", "organisations", "policy_id", "policy_version", "star_level", "trailing_year_credited_half_hours", "trailing_year_minutes", "volunteer_number"]
    ACTIVITIES_FIELD_NUMBER: _ClassVar[int]
    AGE_FIELD_NUMBER: _ClassVar[int]
    ANNUAL_TIER_FIELD_NUMBER: _ClassVar[int]
    APPROVED_RECORDS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_AT_FIELD_NUMBER: _ClassVar[int]
    LIFETIME_AWARD_FIELD_NUMBER: _ClassVar[int]
    LIFETIME_CREDITED_HALF_HOURS_FIELD_NUMBER: _ClassVar[int]
    LIFETIME_MINUTES_FIELD_NUMBER: _ClassVar[int]
    MODULES_FIELD_NUMBER: _ClassVar[int]
    NEXT_STAR_HOURS_FIELD_NUMBER: _ClassVar[int]
    ORGANISATIONS_FIELD_NUMBER: _ClassVar[int]
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    STAR_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TRAILING_YEAR_CREDITED_HALF_HOURS_FIELD_NUMBER: _ClassVar[int]
    TRAILING_YEAR_MINUTES_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    activities: int
    age: int
    annual_tier: AnnualTier
    approved_records: int
    as_of: _volunteers_pb2.Date
    evaluated_at: _timestamp_pb2.Timestamp
    lifetime_award: bool
    lifetime_credited_half_hours: int
    lifetime_minutes: int
    modules: _containers.RepeatedCompositeFieldContainer[ModuleCredit]
    next_star_hours: int
    organisations: int
    policy_id: str
    policy_version: int
    star_level: int
    trailing_year_credited_half_hours: int
    trailing_year_minutes: int
    volunteer_number: str
    def __init__(self, volunteer_number: _Optional[str] = ..., as_of: _Optional[_Union[_volunteers_pb2.Date, _Mapping]] = ..., age: _Optional[int] = ..., policy_id: _Optional[str] = ..., policy_version: _Optional[int] = ..., lifetime_minutes: _Optional[int] = ..., lifetime_credited_half_hours: _Optional[int] = ..., trailing_year_minutes: _Optional[int] = ..., trailing_year_credited_half_hours: _Optional[int] = ..., approved_records: _Optional[int] = ..., activities: _Optional[int] = ..., organisations: _Optional[int] = ..., star_level: _Optional[int] = ..., next_star_hours: _Optional[int] = ..., annual_tier: _Optional[_Union[AnnualTier, str]] = ..., lifetime_award: bool = ..., modules: _Optional[_Iterable[_Union[ModuleCredit, _Mapping]]] = ..., evaluated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetPolicyRequest(_message.Message):
    __slots__ = ["id", "version"]
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    version: int
    def __init__(self, id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ListPoliciesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListPoliciesResponse(_message.Message):
    __slots__ = ["policies"]
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[Policy]
    def __init__(self, policies: _Optional[_Iterable[_Union[Policy, _Mapping]]] = ...) -> None: ...

class LoadPolicyRequest(_message.Message):
    __slots__ = ["document_json"]
    DOCUMENT_JSON_FIELD_NUMBER: _ClassVar[int]
    document_json: str
    def __init__(self, document_json: _Optional[str] = ...) -> None: ...

class ModuleCredit(_message.Message):
    __slots__ = ["credited_half_hours", "credits", "module_id"]
    CREDITED_HALF_HOURS_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    MODULE_ID_FIELD_NUMBER: _ClassVar[int]
    credited_half_hours: int
    credits: int
    module_id: str
    def __init__(self, module_id: _Optional[str] = ..., credited_half_hours: _Optional[int] = ..., credits: _Optional[int] = ...) -> None: ...

class Policy(_message.Message):
    __slots__ = ["document_json", "id", "is_default", "loaded_at", "loaded_by", "title", "version"]
    DOCUMENT_JSON_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    LOADED_AT_FIELD_NUMBER: _ClassVar[int]
    LOADED_BY_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    document_json: str
    id: str
    is_default: bool
    loaded_at: _timestamp_pb2.Timestamp
    loaded_by: str
    title: str
    version: int
    def __init__(self, id: _Optional[str] = ..., version: _Optional[int] = ..., title: _Optional[str] = ..., document_json: _Optional[str] = ..., loaded_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., loaded_by: _Optional[str] = ..., is_default: bool = ...) -> None: ...

class AnnualTier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
