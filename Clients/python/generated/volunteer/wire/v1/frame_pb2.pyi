from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Cancel(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class Frame(_message.Message):
    __slots__ = ["call_id", "cancel", "goaway", "half_close", "headers", "message", "open", "ping", "pong", "settings", "status"]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    GOAWAY_FIELD_NUMBER: _ClassVar[int]
    HALF_CLOSE_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    PING_FIELD_NUMBER: _ClassVar[int]
    PONG_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    cancel: Cancel
    goaway: GoAway
    half_close: HalfClose
    headers: Headers
    message: Message
    open: Open
    ping: Ping
    pong: Pong
    settings: Settings
    status: Status
    def __init__(self, call_id: _Optional[int] = ..., settings: _Optional[_Union[Settings, _Mapping]] = ..., open: _Optional[_Union[Open, _Mapping]] = ..., message: _Optional[_Union[Message, _Mapping]] = ..., half_close: _Optional[_Union[HalfClose, _Mapping]] = ..., headers: _Optional[_Union[Headers, _Mapping]] = ..., status: _Optional[_Union[Status, _Mapping]] = ..., cancel: _Optional[_Union[Cancel, _Mapping]] = ..., ping: _Optional[_Union[Ping, _Mapping]] = ..., pong: _Optional[_Union[Pong, _Mapping]] = ..., goaway: _Optional[_Union[GoAway, _Mapping]] = ...) -> None: ...

class GoAway(_message.Message):
    __slots__ = ["code", "last_call_id", "reason"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    LAST_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    code: int
    last_call_id: int
    reason: str
    def __init__(self, last_call_id: _Optional[int] = ..., code: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class HalfClose(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class Headers(_message.Message):
    __slots__ = ["metadata"]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    metadata: _containers.RepeatedCompositeFieldContainer[MetadataEntry]
    def __init__(self, metadata: _Optional[_Iterable[_Union[MetadataEntry, _Mapping]]] = ...) -> None: ...

class Message(_message.Message):
    __slots__ = ["data"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class MetadataEntry(_message.Message):
    __slots__ = ["binary", "key", "text"]
    BINARY_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    binary: bytes
    key: str
    text: str
    def __init__(self, key: _Optional[str] = ..., text: _Optional[str] = ..., binary: _Optional[bytes] = ...) -> None: ...

class Open(_message.Message):
    __slots__ = ["metadata", "method"]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    metadata: _containers.RepeatedCompositeFieldContainer[MetadataEntry]
    method: str
    def __init__(self, method: _Optional[str] = ..., metadata: _Optional[_Iterable[_Union[MetadataEntry, _Mapping]]] = ...) -> None: ...

class Ping(_message.Message):
    __slots__ = ["opaque"]
    OPAQUE_FIELD_NUMBER: _ClassVar[int]
    opaque: int
    def __init__(self, opaque: _Optional[int] = ...) -> None: ...

class Pong(_message.Message):
    __slots__ = ["opaque"]
    OPAQUE_FIELD_NUMBER: _ClassVar[int]
    opaque: int
    def __init__(self, opaque: _Optional[int] = ...) -> None: ...

class Settings(_message.Message):
    __slots__ = ["idle_timeout_ms", "keepalive_interval_ms", "max_concurrent_calls", "max_frame_size", "max_metadata_size", "protocol_version", "server_version"]
    IDLE_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    KEEPALIVE_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_CALLS_FIELD_NUMBER: _ClassVar[int]
    MAX_FRAME_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_METADATA_SIZE_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    idle_timeout_ms: int
    keepalive_interval_ms: int
    max_concurrent_calls: int
    max_frame_size: int
    max_metadata_size: int
    protocol_version: int
    server_version: str
    def __init__(self, protocol_version: _Optional[int] = ..., server_version: _Optional[str] = ..., max_frame_size: _Optional[int] = ..., max_concurrent_calls: _Optional[int] = ..., max_metadata_size: _Optional[int] = ..., keepalive_interval_ms: _Optional[int] = ..., idle_timeout_ms: _Optional[int] = ...) -> None: ...

class Status(_message.Message):
    __slots__ = ["code", "message", "trailers"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TRAILERS_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    trailers: _containers.RepeatedCompositeFieldContainer[MetadataEntry]
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ..., trailers: _Optional[_Iterable[_Union[MetadataEntry, _Mapping]]] = ...) -> None: ...
