from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BackupChunk(_message.Message):
    __slots__ = ["data", "info", "sha256"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    info: BackupInfo
    sha256: str
    def __init__(self, data: _Optional[bytes] = ..., info: _Optional[_Union[BackupInfo, _Mapping]] = ..., sha256: _Optional[str] = ...) -> None: ...

class BackupInfo(_message.Message):
    __slots__ = ["audit_head_hash", "audit_size", "size_bytes", "store", "taken_at"]
    AUDIT_HEAD_HASH_FIELD_NUMBER: _ClassVar[int]
    AUDIT_SIZE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    STORE_FIELD_NUMBER: _ClassVar[int]
    TAKEN_AT_FIELD_NUMBER: _ClassVar[int]
    audit_head_hash: str
    audit_size: int
    size_bytes: int
    store: str
    taken_at: _timestamp_pb2.Timestamp
    def __init__(self, store: _Optional[str] = ..., size_bytes: _Optional[int] = ..., audit_size: _Optional[int] = ..., audit_head_hash: _Optional[str] = ..., taken_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BackupRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...
