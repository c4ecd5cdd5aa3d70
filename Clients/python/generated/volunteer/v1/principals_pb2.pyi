from volunteer.v1 import health_pb2 as _health_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AddPrincipalRequest(_message.Message):
    __slots__ = ["display_name", "id", "role", "scope_organisation_id"]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    SCOPE_ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    id: str
    role: _health_pb2.Role
    scope_organisation_id: str
    def __init__(self, id: _Optional[str] = ..., role: _Optional[_Union[_health_pb2.Role, str]] = ..., scope_organisation_id: _Optional[str] = ..., display_name: _Optional[str] = ...) -> None: ...

class ListPrincipalsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListPrincipalsResponse(_message.Message):
    __slots__ = ["principals"]
    PRINCIPALS_FIELD_NUMBER: _ClassVar[int]
    principals: _containers.RepeatedCompositeFieldContainer[_health_pb2.Principal]
    def __init__(self, principals: _Optional[_Iterable[_Union[_health_pb2.Principal, _Mapping]]] = ...) -> None: ...

class SetPrincipalEnabledRequest(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...
