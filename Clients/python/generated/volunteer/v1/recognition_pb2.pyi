from google.protobuf import timestamp_pb2 as _timestamp_pb2
from volunteer.v1 import volunteers_pb2 as _volunteers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AwardRecord(_message.Message):
    __slots__ = ["awarded_on", "id", "level", "organisation_id", "recorded_at", "recorded_by", "title", "volunteer_number"]
    AWARDED_ON_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    awarded_on: _volunteers_pb2.Date
    id: str
    level: str
    organisation_id: str
    recorded_at: _timestamp_pb2.Timestamp
    recorded_by: str
    title: str
    volunteer_number: str
    def __init__(self, id: _Optional[str] = ..., volunteer_number: _Optional[str] = ..., organisation_id: _Optional[str] = ..., title: _Optional[str] = ..., level: _Optional[str] = ..., awarded_on: _Optional[_Union[_volunteers_pb2.Date, _Mapping]] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListRecognitionRequest(_message.Message):
    __slots__ = ["volunteer_number"]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    volunteer_number: str
    def __init__(self, volunteer_number: _Optional[str] = ...) -> None: ...

class ListRecognitionResponse(_message.Message):
    __slots__ = ["awards", "training", "training_minutes"]
    AWARDS_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FIELD_NUMBER: _ClassVar[int]
    TRAINING_MINUTES_FIELD_NUMBER: _ClassVar[int]
    awards: _containers.RepeatedCompositeFieldContainer[AwardRecord]
    training: _containers.RepeatedCompositeFieldContainer[TrainingRecord]
    training_minutes: int
    def __init__(self, training: _Optional[_Iterable[_Union[TrainingRecord, _Mapping]]] = ..., awards: _Optional[_Iterable[_Union[AwardRecord, _Mapping]]] = ..., training_minutes: _Optional[int] = ...) -> None: ...

class RecordAwardRequest(_message.Message):
    __slots__ = ["awarded_on", "idempotency_key", "level", "organisation_id", "title", "volunteer_number"]
    AWARDED_ON_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    awarded_on: _volunteers_pb2.Date
    idempotency_key: str
    level: str
    organisation_id: str
    title: str
    volunteer_number: str
    def __init__(self, idempotency_key: _Optional[str] = ..., volunteer_number: _Optional[str] = ..., organisation_id: _Optional[str] = ..., title: _Optional[str] = ..., level: _Optional[str] = ..., awarded_on: _Optional[_Union[_volunteers_pb2.Date, _Mapping]] = ...) -> None: ...

class RecordTrainingRequest(_message.Message):
    __slots__ = ["end_time", "idempotency_key", "organisation_id", "start_time", "title", "volunteer_number"]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    end_time: _timestamp_pb2.Timestamp
    idempotency_key: str
    organisation_id: str
    start_time: _timestamp_pb2.Timestamp
    title: str
    volunteer_number: str
    def __init__(self, idempotency_key: _Optional[str] = ..., volunteer_number: _Optional[str] = ..., organisation_id: _Optional[str] = ..., title: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TrainingRecord(_message.Message):
    __slots__ = ["end_time", "id", "minutes", "organisation_id", "recorded_at", "recorded_by", "start_time", "title", "volunteer_number"]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    end_time: _timestamp_pb2.Timestamp
    id: str
    minutes: int
    organisation_id: str
    recorded_at: _timestamp_pb2.Timestamp
    recorded_by: str
    start_time: _timestamp_pb2.Timestamp
    title: str
    volunteer_number: str
    def __init__(self, id: _Optional[str] = ..., volunteer_number: _Optional[str] = ..., organisation_id: _Optional[str] = ..., title: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., minutes: _Optional[int] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
