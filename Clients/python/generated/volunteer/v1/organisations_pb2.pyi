from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
ORGANISATION_KIND_ALLIANCE: OrganisationKind
ORGANISATION_KIND_CITY: OrganisationKind
ORGANISATION_KIND_COUNTY: OrganisationKind
ORGANISATION_KIND_ENTERPRISE: OrganisationKind
ORGANISATION_KIND_GRASSROOTS: OrganisationKind
ORGANISATION_KIND_NATIONAL: OrganisationKind
ORGANISATION_KIND_NGO: OrganisationKind
ORGANISATION_KIND_PROVINCE: OrganisationKind
ORGANISATION_KIND_SCHOOL: OrganisationKind
ORGANISATION_KIND_UNSPECIFIED: OrganisationKind

class CreateOrganisationRequest(_message.Message):
    __slots__ = ["id", "kind", "name", "parent_id", "region_code"]
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: OrganisationKind
    name: str
    parent_id: str
    region_code: str
    def __init__(self, id: _Optional[str] = ..., parent_id: _Optional[str] = ..., kind: _Optional[_Union[OrganisationKind, str]] = ..., name: _Optional[str] = ..., region_code: _Optional[str] = ...) -> None: ...

class GetOrganisationRequest(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetSubtreeRequest(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListChildrenRequest(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListOrganisationsResponse(_message.Message):
    __slots__ = ["organisations"]
    ORGANISATIONS_FIELD_NUMBER: _ClassVar[int]
    organisations: _containers.RepeatedCompositeFieldContainer[Organisation]
    def __init__(self, organisations: _Optional[_Iterable[_Union[Organisation, _Mapping]]] = ...) -> None: ...

class Organisation(_message.Message):
    __slots__ = ["created_at", "depth", "id", "kind", "name", "parent_id", "region_code"]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DEPTH_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    created_at: _timestamp_pb2.Timestamp
    depth: int
    id: str
    kind: OrganisationKind
    name: str
    parent_id: str
    region_code: str
    def __init__(self, id: _Optional[str] = ..., parent_id: _Optional[str] = ..., kind: _Optional[_Union[OrganisationKind, str]] = ..., name: _Optional[str] = ..., region_code: _Optional[str] = ..., depth: _Optional[int] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrganisationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
