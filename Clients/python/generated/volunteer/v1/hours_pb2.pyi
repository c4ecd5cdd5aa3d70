from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

CAP_OVERRIDE_NONE: CapOverride
CAP_OVERRIDE_PROVINCE_LEVEL: CapOverride
CAP_OVERRIDE_VERIFYING_ORGANISATION: CapOverride
DESCRIPTOR: _descriptor.FileDescriptor
RECORD_KIND_ADJUSTMENT: RecordKind
RECORD_KIND_ENTRY: RecordKind
RECORD_KIND_REVERSAL: RecordKind
RECORD_STATUS_APPROVED: RecordStatus
RECORD_STATUS_PENDING: RecordStatus
RECORD_STATUS_REJECTED: RecordStatus
RECORD_STATUS_UNSPECIFIED: RecordStatus

class CorrectRecordRequest(_message.Message):
    __slots__ = ["adjustment_minutes", "idempotency_key", "kind", "reason", "record_id"]
    ADJUSTMENT_MINUTES_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    adjustment_minutes: int
    idempotency_key: str
    kind: RecordKind
    reason: str
    record_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., record_id: _Optional[str] = ..., kind: _Optional[_Union[RecordKind, str]] = ..., adjustment_minutes: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ListRecordsRequest(_message.Message):
    __slots__ = ["page_size", "page_token", "status", "volunteer_number"]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    status: RecordStatus
    volunteer_number: str
    def __init__(self, volunteer_number: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., status: _Optional[_Union[RecordStatus, str]] = ...) -> None: ...

class ListRecordsResponse(_message.Message):
    __slots__ = ["approved_credited_half_hours", "approved_minutes", "approved_records", "next_page_token", "records"]
    APPROVED_CREDITED_HALF_HOURS_FIELD_NUMBER: _ClassVar[int]
    APPROVED_MINUTES_FIELD_NUMBER: _ClassVar[int]
    APPROVED_RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    approved_credited_half_hours: int
    approved_minutes: int
    approved_records: int
    next_page_token: str
    records: _containers.RepeatedCompositeFieldContainer[ServiceRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[ServiceRecord, _Mapping]]] = ..., approved_minutes: _Optional[int] = ..., approved_credited_half_hours: _Optional[int] = ..., approved_records: _Optional[int] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class LogHoursRequest(_message.Message):
    __slots__ = ["activity_id", "content", "end_time", "idempotency_key", "start_time", "travel_time_excluded", "volunteer_number"]
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_TIME_EXCLUDED_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    activity_id: str
    content: str
    end_time: _timestamp_pb2.Timestamp
    idempotency_key: str
    start_time: _timestamp_pb2.Timestamp
    travel_time_excluded: bool
    volunteer_number: str
    def __init__(self, idempotency_key: _Optional[str] = ..., volunteer_number: _Optional[str] = ..., activity_id: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., content: _Optional[str] = ..., travel_time_excluded: bool = ...) -> None: ...

class RefusedRecord(_message.Message):
    __slots__ = ["code", "message"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class ReviewRecordsRequest(_message.Message):
    __slots__ = ["cap_override", "reason", "record_ids"]
    CAP_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    cap_override: CapOverride
    reason: str
    record_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, record_ids: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ..., cap_override: _Optional[_Union[CapOverride, str]] = ...) -> None: ...

class ReviewRecordsResponse(_message.Message):
    __slots__ = ["results"]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ReviewResult]
    def __init__(self, results: _Optional[_Iterable[_Union[ReviewResult, _Mapping]]] = ...) -> None: ...

class ReviewResult(_message.Message):
    __slots__ = ["record_id", "refused", "reviewed"]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    REVIEWED_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    refused: RefusedRecord
    reviewed: ServiceRecord
    def __init__(self, record_id: _Optional[str] = ..., reviewed: _Optional[_Union[ServiceRecord, _Mapping]] = ..., refused: _Optional[_Union[RefusedRecord, _Mapping]] = ...) -> None: ...

class ServiceRecord(_message.Message):
    __slots__ = ["activity_id", "cap_override", "content", "corrects_record_id", "credited_half_hours", "delta_minutes", "end_time", "id", "kind", "late", "minutes", "organisation_id", "review_reason", "reviewed_at", "reviewed_by", "start_time", "status", "submitted_at", "submitted_by", "volunteer_number"]
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    CAP_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CORRECTS_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    CREDITED_HALF_HOURS_FIELD_NUMBER: _ClassVar[int]
    DELTA_MINUTES_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    REVIEWED_AT_FIELD_NUMBER: _ClassVar[int]
    REVIEWED_BY_FIELD_NUMBER: _ClassVar[int]
    REVIEW_REASON_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_BY_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    activity_id: str
    cap_override: CapOverride
    content: str
    corrects_record_id: str
    credited_half_hours: int
    delta_minutes: int
    end_time: _timestamp_pb2.Timestamp
    id: str
    kind: RecordKind
    late: bool
    minutes: int
    organisation_id: str
    review_reason: str
    reviewed_at: _timestamp_pb2.Timestamp
    reviewed_by: str
    start_time: _timestamp_pb2.Timestamp
    status: RecordStatus
    submitted_at: _timestamp_pb2.Timestamp
    submitted_by: str
    volunteer_number: str
    def __init__(self, id: _Optional[str] = ..., volunteer_number: _Optional[str] = ..., activity_id: _Optional[str] = ..., organisation_id: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., minutes: _Optional[int] = ..., credited_half_hours: _Optional[int] = ..., content: _Optional[str] = ..., status: _Optional[_Union[RecordStatus, str]] = ..., late: bool = ..., submitted_by: _Optional[str] = ..., submitted_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., reviewed_by: _Optional[str] = ..., reviewed_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., review_reason: _Optional[str] = ..., cap_override: _Optional[_Union[CapOverride, str]] = ..., kind: _Optional[_Union[RecordKind, str]] = ..., corrects_record_id: _Optional[str] = ..., delta_minutes: _Optional[int] = ...) -> None: ...

class UploadHoursResponse(_message.Message):
    __slots__ = ["accepted", "refused", "replayed", "results"]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    accepted: int
    refused: int
    replayed: int
    results: _containers.RepeatedCompositeFieldContainer[UploadResult]
    def __init__(self, results: _Optional[_Iterable[_Union[UploadResult, _Mapping]]] = ..., accepted: _Optional[int] = ..., replayed: _Optional[int] = ..., refused: _Optional[int] = ...) -> None: ...

class UploadResult(_message.Message):
    __slots__ = ["accepted", "idempotency_key", "index", "refused", "replayed"]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    accepted: ServiceRecord
    idempotency_key: str
    index: int
    refused: RefusedRecord
    replayed: ServiceRecord
    def __init__(self, index: _Optional[int] = ..., idempotency_key: _Optional[str] = ..., accepted: _Optional[_Union[ServiceRecord, _Mapping]] = ..., replayed: _Optional[_Union[ServiceRecord, _Mapping]] = ..., refused: _Optional[_Union[RefusedRecord, _Mapping]] = ...) -> None: ...

class RecordKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class RecordStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class CapOverride(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
