from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetStatisticsRequest(_message.Message):
    __slots__ = ["before", "organisation_id"]
    BEFORE_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    before: _timestamp_pb2.Timestamp
    organisation_id: str
    def __init__(self, organisation_id: _Optional[str] = ..., before: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., **kwargs) -> None: ...

class OrganisationStatistics(_message.Message):
    __slots__ = ["active_volunteers", "activities", "approved_credited_half_hours", "approved_minutes", "approved_records", "before", "late_entry_share", "organisation_id", "registered_volunteers", "star_distribution"]
    ACTIVE_VOLUNTEERS_FIELD_NUMBER: _ClassVar[int]
    ACTIVITIES_FIELD_NUMBER: _ClassVar[int]
    APPROVED_CREDITED_HALF_HOURS_FIELD_NUMBER: _ClassVar[int]
    APPROVED_MINUTES_FIELD_NUMBER: _ClassVar[int]
    APPROVED_RECORDS_FIELD_NUMBER: _ClassVar[int]
    BEFORE_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    LATE_ENTRY_SHARE_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_VOLUNTEERS_FIELD_NUMBER: _ClassVar[int]
    STAR_DISTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    active_volunteers: int
    activities: int
    approved_credited_half_hours: int
    approved_minutes: int
    approved_records: int
    before: _timestamp_pb2.Timestamp
    late_entry_share: float
    organisation_id: str
    registered_volunteers: int
    star_distribution: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, organisation_id: _Optional[str] = ..., before: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., registered_volunteers: _Optional[int] = ..., active_volunteers: _Optional[int] = ..., approved_minutes: _Optional[int] = ..., approved_credited_half_hours: _Optional[int] = ..., approved_records: _Optional[int] = ..., activities: _Optional[int] = ..., star_distribution: _Optional[_Iterable[int]] = ..., late_entry_share: _Optional[float] = ..., **kwargs) -> None: ...
