from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AuditCheckpoint(_message.Message):
    __slots__ = ["at", "head_hash", "size", "token"]
    AT_FIELD_NUMBER: _ClassVar[int]
    HEAD_HASH_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    at: str
    head_hash: str
    size: int
    token: str
    def __init__(self, size: _Optional[int] = ..., head_hash: _Optional[str] = ..., at: _Optional[str] = ..., token: _Optional[str] = ...) -> None: ...

class AuditExportChunk(_message.Message):
    __slots__ = ["lines"]
    LINES_FIELD_NUMBER: _ClassVar[int]
    lines: bytes
    def __init__(self, lines: _Optional[bytes] = ...) -> None: ...

class AuditHead(_message.Message):
    __slots__ = ["hash", "size"]
    HASH_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    hash: str
    size: int
    def __init__(self, size: _Optional[int] = ..., hash: _Optional[str] = ...) -> None: ...

class AuditReport(_message.Message):
    __slots__ = ["checkpoints", "entries", "head", "problems", "rows", "valid"]
    CHECKPOINTS_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    HEAD_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    checkpoints: int
    entries: int
    head: AuditHead
    problems: _containers.RepeatedScalarFieldContainer[str]
    rows: int
    valid: bool
    def __init__(self, valid: bool = ..., entries: _Optional[int] = ..., checkpoints: _Optional[int] = ..., rows: _Optional[int] = ..., head: _Optional[_Union[AuditHead, _Mapping]] = ..., problems: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateCheckpointRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ExportAuditRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetAuditHeadRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class VerifyAuditRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...
