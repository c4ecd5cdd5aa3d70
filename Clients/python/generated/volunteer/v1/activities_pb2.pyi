from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

ACTIVITY_CATEGORY_COMMUNITY_SERVICE: ActivityCategory
ACTIVITY_CATEGORY_CULTURE: ActivityCategory
ACTIVITY_CATEGORY_EDUCATION: ActivityCategory
ACTIVITY_CATEGORY_ELDERLY_CARE: ActivityCategory
ACTIVITY_CATEGORY_EMERGENCY_RELIEF: ActivityCategory
ACTIVITY_CATEGORY_ENVIRONMENT: ActivityCategory
ACTIVITY_CATEGORY_HEALTH: ActivityCategory
ACTIVITY_CATEGORY_LARGE_EVENTS: ActivityCategory
ACTIVITY_CATEGORY_OTHER: ActivityCategory
ACTIVITY_CATEGORY_POVERTY_RELIEF: ActivityCategory
ACTIVITY_CATEGORY_UNSPECIFIED: ActivityCategory
ACTIVITY_STATUS_CLOSED: ActivityStatus
ACTIVITY_STATUS_DRAFT: ActivityStatus
ACTIVITY_STATUS_PUBLISHED: ActivityStatus
ACTIVITY_STATUS_UNSPECIFIED: ActivityStatus
DESCRIPTOR: _descriptor.FileDescriptor

class Activity(_message.Message):
    __slots__ = ["category", "created_at", "created_by", "end_time", "id", "organisation_id", "person_in_charge", "place", "planned_minutes", "region_code", "start_time", "status", "title"]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_IN_CHARGE_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    PLANNED_MINUTES_FIELD_NUMBER: _ClassVar[int]
    REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    category: ActivityCategory
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    end_time: _timestamp_pb2.Timestamp
    id: str
    organisation_id: str
    person_in_charge: str
    place: str
    planned_minutes: int
    region_code: str
    start_time: _timestamp_pb2.Timestamp
    status: ActivityStatus
    title: str
    def __init__(self, id: _Optional[str] = ..., organisation_id: _Optional[str] = ..., title: _Optional[str] = ..., category: _Optional[_Union[ActivityCategory, str]] = ..., region_code: _Optional[str] = ..., place: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., planned_minutes: _Optional[int] = ..., person_in_charge: _Optional[str] = ..., status: _Optional[_Union[ActivityStatus, str]] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ...) -> None: ...

class ActivityRef(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateActivityRequest(_message.Message):
    __slots__ = ["category", "end_time", "idempotency_key", "organisation_id", "person_in_charge", "place", "planned_minutes", "region_code", "start_time", "title"]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_IN_CHARGE_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    PLANNED_MINUTES_FIELD_NUMBER: _ClassVar[int]
    REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    category: ActivityCategory
    end_time: _timestamp_pb2.Timestamp
    idempotency_key: str
    organisation_id: str
    person_in_charge: str
    place: str
    planned_minutes: int
    region_code: str
    start_time: _timestamp_pb2.Timestamp
    title: str
    def __init__(self, idempotency_key: _Optional[str] = ..., organisation_id: _Optional[str] = ..., title: _Optional[str] = ..., category: _Optional[_Union[ActivityCategory, str]] = ..., region_code: _Optional[str] = ..., place: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., planned_minutes: _Optional[int] = ..., person_in_charge: _Optional[str] = ...) -> None: ...

class ListActivitiesRequest(_message.Message):
    __slots__ = ["before", "organisation_id", "page_size", "page_token"]
    BEFORE_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    before: _timestamp_pb2.Timestamp
    organisation_id: str
    page_size: int
    page_token: str
    def __init__(self, organisation_id: _Optional[str] = ..., before: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., **kwargs) -> None: ...

class ListActivitiesResponse(_message.Message):
    __slots__ = ["activities", "next_page_token"]
    ACTIVITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    activities: _containers.RepeatedCompositeFieldContainer[Activity]
    next_page_token: str
    def __init__(self, activities: _Optional[_Iterable[_Union[Activity, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ActivityCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ActivityStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
