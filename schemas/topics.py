"""The topic catalogue: every topic the pipeline uses, who writes it, who reads it, how long it keeps.

``python -m ind_runtime.admin create-topics`` creates exactly this list. Partitions are the unit of
parallelism: six lets up to six workers of one service share a topic; dead-letter topics are rare
and read by people, so three is plenty.
"""

from dataclasses import dataclass

from schemas.applicant import EndorsementStickerRequested, InformationSupplied
from schemas.appointments import (
    ApplicantAppointmentBooked,
    AppointmentAwaitingSlot,
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
    BiometricsCompleted,
    CaseFlagged,
)
from schemas.cases import CaseRegistered
from schemas.decision_outcomes import CommandAccepted, CommandRejected
from schemas.decisions import DecisionRequested
from schemas.desk import AppointmentNoShow, BiometricsCaptured, DocumentCollected
from schemas.lifecycle import (
    CaseAssessed,
    CaseClosed,
    CaseDecided,
    CaseResumed,
    DeadlineApproaching,
    DeadlineExceeded,
    DocumentProduced,
    InformationRequested,
    RefusalProposed,
)
from schemas.notifications import EmailParked
from schemas.slot_alerts import SlotAvailable
from schemas.submissions import ApplicationSubmitted, SubmissionRejected

DAY_MS = 24 * 60 * 60 * 1000
DEAD_LETTER_SUFFIX = ".dlq"
MAX_RECORD_BYTES = 1_048_576
"""What a topic of the catalogue accepts (its ``max.message.bytes``): a record batch, headers and key included."""
DEAD_LETTER_MAX_RECORD_BYTES = 2 * MAX_RECORD_BYTES
"""What a dead-letter topic accepts: twice its source's limit, so the parked copy of any record its
source accepted (the same key, bytes and headers, plus the ``dlq.*`` headers) always fits."""


@dataclass(frozen=True)
class Topic:
    name: str
    key: str
    event_types: tuple[str, ...]
    producer: str
    consumers: tuple[str, ...]
    retention_days: int
    partitions: int = 6
    public: bool = False
    max_record_bytes: int = MAX_RECORD_BYTES

    @property
    def retention_ms(self) -> int:
        return self.retention_days * DAY_MS

    @property
    def dead_letter(self) -> str:
        return self.name + DEAD_LETTER_SUFFIX


SUBMISSIONS = Topic(
    name="ind.intake.submissions.v1",
    key="submission id (the CloudEvents id)",
    event_types=(ApplicationSubmitted.EVENT_TYPE,),
    producer="external intake systems",
    consumers=("intake",),
    retention_days=30,
    public=True,
)
REJECTIONS = Topic(
    name="ind.intake.rejections.v1",
    key="submission id, or topic-partition-offset when none could be read",
    event_types=(SubmissionRejected.EVENT_TYPE,),
    producer="intake",
    consumers=(),
    retention_days=30,
    public=True,
)
DESK_EVENTS = Topic(
    name="ind.desk.events.v1",
    key="case id",
    event_types=(BiometricsCaptured.EVENT_TYPE, AppointmentNoShow.EVENT_TYPE, DocumentCollected.EVENT_TYPE),
    producer="desk systems at IND desks and expat centres",
    consumers=("biometrics", "decision"),
    retention_days=30,
    public=True,
)
APPLICANT_REQUESTS = Topic(
    name="ind.applicant.requests.v1",
    key="case id",
    event_types=(InformationSupplied.EVENT_TYPE, EndorsementStickerRequested.EVENT_TYPE),
    producer="the applicant portal",
    consumers=("biometrics", "decision"),
    retention_days=30,
    public=True,
)
DECISION_COMMANDS = Topic(
    name="ind.decision.commands.v1",
    key="case id",
    event_types=(DecisionRequested.EVENT_TYPE,),
    producer="caseworker tools",
    consumers=("decision",),
    retention_days=30,
    public=True,
)
DECISION_OUTCOMES = Topic(
    name="ind.decision.outcomes.v1",
    key="case id, or the command id when no case could be read",
    event_types=(CommandAccepted.EVENT_TYPE, CommandRejected.EVENT_TYPE),
    producer="decision",
    consumers=(),
    retention_days=30,
    public=True,
)
CASES_REGISTERED = Topic(
    name="ind.case.registered.v1",
    key="case id",
    event_types=(CaseRegistered.EVENT_TYPE,),
    producer="intake",
    consumers=("biometrics", "decision", "notify"),
    retention_days=14,
)
CASE_APPOINTMENTS = Topic(
    name="ind.case.appointments.v1",
    key="case id; for an appointment an applicant booked without a case (SUB, INF), its booking id; for a free slot, the alert's id",
    event_types=(
        AppointmentBooked.EVENT_TYPE,
        BiometricsCompleted.EVENT_TYPE,
        CaseFlagged.EVENT_TYPE,
        AppointmentAwaitingSlot.EVENT_TYPE,
        ApplicantAppointmentBooked.EVENT_TYPE,
        AppointmentRescheduled.EVENT_TYPE,
        AppointmentCancelled.EVENT_TYPE,
        SlotAvailable.EVENT_TYPE,
    ),
    producer="biometrics",
    consumers=("decision", "notify"),
    retention_days=14,
)
CASE_LIFECYCLE = Topic(
    name="ind.case.lifecycle.v1",
    key="case id",
    event_types=(
        CaseAssessed.EVENT_TYPE,
        InformationRequested.EVENT_TYPE,
        CaseResumed.EVENT_TYPE,
        RefusalProposed.EVENT_TYPE,
        CaseDecided.EVENT_TYPE,
        DocumentProduced.EVENT_TYPE,
        CaseClosed.EVENT_TYPE,
        DeadlineApproaching.EVENT_TYPE,
        DeadlineExceeded.EVENT_TYPE,
    ),
    producer="decision",
    consumers=("biometrics", "notify"),
    retention_days=14,
)
NOTIFY_ALERTS = Topic(
    name="ind.notify.alerts.v1",
    key="case id",
    event_types=(EmailParked.EVENT_TYPE,),
    producer="notify",
    consumers=(),
    retention_days=90,
    partitions=1,
)

CATALOGUE: tuple[Topic, ...] = (
    SUBMISSIONS,
    REJECTIONS,
    DESK_EVENTS,
    APPLICANT_REQUESTS,
    DECISION_COMMANDS,
    DECISION_OUTCOMES,
    CASES_REGISTERED,
    CASE_APPOINTMENTS,
    CASE_LIFECYCLE,
    NOTIFY_ALERTS,
)


def dead_letter_topics() -> tuple[Topic, ...]:
    """One dead-letter topic per consumed topic; it keeps the original key, bytes and headers."""
    return tuple(
        Topic(
            name=topic.dead_letter,
            key=f"as on {topic.name}",
            event_types=topic.event_types,
            producer=", ".join(topic.consumers),
            consumers=("operators",),
            retention_days=90,
            partitions=3,
            max_record_bytes=DEAD_LETTER_MAX_RECORD_BYTES,
        )
        for topic in CATALOGUE
        if topic.consumers
    )


def all_topics() -> tuple[Topic, ...]:
    return CATALOGUE + dead_letter_topics()
