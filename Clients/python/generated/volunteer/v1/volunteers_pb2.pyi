from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
DOCUMENT_TYPE_FOREIGN_PERMANENT_RESIDENCE: DocumentType
DOCUMENT_TYPE_HK_MACAO_PERMIT: DocumentType
DOCUMENT_TYPE_PASSPORT: DocumentType
DOCUMENT_TYPE_RESIDENT_ID: DocumentType
DOCUMENT_TYPE_TAIWAN_PERMIT: DocumentType
DOCUMENT_TYPE_UNSPECIFIED: DocumentType
SEX_FEMALE: Sex
SEX_MALE: Sex
SEX_UNSPECIFIED: Sex

class Date(_message.Message):
    __slots__ = ["day", "month", "year"]
    DAY_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    day: int
    month: int
    year: int
    def __init__(self, year: _Optional[int] = ..., month: _Optional[int] = ..., day: _Optional[int] = ...) -> None: ...

class GetVolunteerRequest(_message.Message):
    __slots__ = ["volunteer_number"]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    volunteer_number: str
    def __init__(self, volunteer_number: _Optional[str] = ...) -> None: ...

class GuardianConsent(_message.Message):
    __slots__ = ["consent_date", "guardian_name", "relation"]
    CONSENT_DATE_FIELD_NUMBER: _ClassVar[int]
    GUARDIAN_NAME_FIELD_NUMBER: _ClassVar[int]
    RELATION_FIELD_NUMBER: _ClassVar[int]
    consent_date: Date
    guardian_name: str
    relation: str
    def __init__(self, guardian_name: _Optional[str] = ..., relation: _Optional[str] = ..., consent_date: _Optional[_Union[Date, _Mapping]] = ...) -> None: ...

class ListVolunteersRequest(_message.Message):
    __slots__ = ["include_withdrawn", "organisation_id", "page_size", "page_token", "registered_before", "registered_from"]
    INCLUDE_WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_FROM_FIELD_NUMBER: _ClassVar[int]
    include_withdrawn: bool
    organisation_id: str
    page_size: int
    page_token: str
    registered_before: _timestamp_pb2.Timestamp
    registered_from: _timestamp_pb2.Timestamp
    def __init__(self, organisation_id: _Optional[str] = ..., registered_from: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., registered_before: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., include_withdrawn: bool = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListVolunteersResponse(_message.Message):
    __slots__ = ["next_page_token", "volunteers"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEERS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    volunteers: _containers.RepeatedCompositeFieldContainer[Volunteer]
    def __init__(self, volunteers: _Optional[_Iterable[_Union[Volunteer, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RegisterVolunteerRequest(_message.Message):
    __slots__ = ["birth_date", "document_number", "document_type", "guardian_consent", "idempotency_key", "organisation_id", "phone", "real_name", "sex", "skills"]
    BIRTH_DATE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    GUARDIAN_CONSENT_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    REAL_NAME_FIELD_NUMBER: _ClassVar[int]
    SEX_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    birth_date: Date
    document_number: str
    document_type: DocumentType
    guardian_consent: GuardianConsent
    idempotency_key: str
    organisation_id: str
    phone: str
    real_name: str
    sex: Sex
    skills: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, idempotency_key: _Optional[str] = ..., real_name: _Optional[str] = ..., document_type: _Optional[_Union[DocumentType, str]] = ..., document_number: _Optional[str] = ..., birth_date: _Optional[_Union[Date, _Mapping]] = ..., sex: _Optional[_Union[Sex, str]] = ..., phone: _Optional[str] = ..., organisation_id: _Optional[str] = ..., guardian_consent: _Optional[_Union[GuardianConsent, _Mapping]] = ..., skills: _Optional[_Iterable[str]] = ...) -> None: ...

class RegisterVolunteerResponse(_message.Message):
    __slots__ = ["replayed", "volunteer"]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_FIELD_NUMBER: _ClassVar[int]
    replayed: bool
    volunteer: Volunteer
    def __init__(self, volunteer: _Optional[_Union[Volunteer, _Mapping]] = ..., replayed: bool = ...) -> None: ...

class Transfer(_message.Message):
    __slots__ = ["from_organisation_id", "reason", "to_organisation_id", "transferred_at", "transferred_by"]
    FROM_ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TO_ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_AT_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_BY_FIELD_NUMBER: _ClassVar[int]
    from_organisation_id: str
    reason: str
    to_organisation_id: str
    transferred_at: _timestamp_pb2.Timestamp
    transferred_by: str
    def __init__(self, from_organisation_id: _Optional[str] = ..., to_organisation_id: _Optional[str] = ..., transferred_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., transferred_by: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class TransferVolunteerRequest(_message.Message):
    __slots__ = ["reason", "to_organisation_id", "volunteer_number"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TO_ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    reason: str
    to_organisation_id: str
    volunteer_number: str
    def __init__(self, volunteer_number: _Optional[str] = ..., to_organisation_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class Volunteer(_message.Message):
    __slots__ = ["birth_date", "document_number", "document_type", "guardian_consent", "organisation_id", "phone", "real_name", "registered_at", "registered_by", "sex", "skills", "transfers", "volunteer_number", "withdrawn_at"]
    BIRTH_DATE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    GUARDIAN_CONSENT_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    REAL_NAME_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_BY_FIELD_NUMBER: _ClassVar[int]
    SEX_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_AT_FIELD_NUMBER: _ClassVar[int]
    birth_date: Date
    document_number: str
    document_type: DocumentType
    guardian_consent: GuardianConsent
    organisation_id: str
    phone: str
    real_name: str
    registered_at: _timestamp_pb2.Timestamp
    registered_by: str
    sex: Sex
    skills: _containers.RepeatedScalarFieldContainer[str]
    transfers: _containers.RepeatedCompositeFieldContainer[Transfer]
    volunteer_number: str
    withdrawn_at: _timestamp_pb2.Timestamp
    def __init__(self, volunteer_number: _Optional[str] = ..., real_name: _Optional[str] = ..., document_type: _Optional[_Union[DocumentType, str]] = ..., document_number: _Optional[str] = ..., birth_date: _Optional[_Union[Date, _Mapping]] = ..., sex: _Optional[_Union[Sex, str]] = ..., phone: _Optional[str] = ..., organisation_id: _Optional[str] = ..., guardian_consent: _Optional[_Union[GuardianConsent, _Mapping]] = ..., registered_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., registered_by: _Optional[str] = ..., skills: _Optional[_Iterable[str]] = ..., withdrawn_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., transfers: _Optional[_Iterable[_Union[Transfer, _Mapping]]] = ...) -> None: ...

class WithdrawVolunteerRequest(_message.Message):
    __slots__ = ["volunteer_number"]
    VOLUNTEER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    volunteer_number: str
    def __init__(self, volunteer_number: _Optional[str] = ...) -> None: ...

class DocumentType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Sex(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
