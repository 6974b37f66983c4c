"""Intake's handlers: each takes screened submissions (or a rejection) and a unit of work, and commits or does nothing."""

from collections.abc import Sequence
from datetime import datetime, timezone
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from ind_runtime.logs import get_logger
from ind_runtime.records import ConsumedRecord
from ind_runtime.screening import Unacceptable
from ind_runtime.unit_of_work import UnitOfWork
from schemas.cases import ApplicantProfile, CaseRegistered, CaseRegisteredData
from schemas.submissions import ApplicationSubmitted, RecordOrigin, RejectionData, SubmissionRejected
from schemas.topics import CASES_REGISTERED, REJECTIONS
from services.intake.cases import CaseRepository, NewCase

CONSUMER = "intake"
SOURCE = "urn:ind:intake"
NETHERLANDS = ZoneInfo("Europe/Amsterdam")

log = get_logger(__name__)


def case_id_for(submission_id: str) -> UUID:
    """Derived from the submission id, so a replay can never mint a second id for the same case."""
    return uuid5(NAMESPACE_URL, f"urn:ind:submission:{submission_id}")


async def register_cases(submissions: Sequence[ApplicationSubmitted], uow: UnitOfWork) -> list[CaseRegistered]:
    """Make a case of each valid submission, once per submission id, with a few statements for all
    of them (a batch of them costs little more than one); returns the cases made, in order."""
    fresh = await uow.new_events(CONSUMER, submissions)
    if len(fresh) < len(submissions):
        log.info("duplicate submissions ignored", count=len(submissions) - len(fresh))
    if not fresh:
        return []
    today = datetime.now(timezone.utc)
    received_on = [min(s.time, today).astimezone(NETHERLANDS).date() for s in fresh]
    cases = CaseRepository(uow.connection)
    numbers = await cases.next_case_numbers(received_on)
    new_cases = [
        NewCase(case_id_for(s.id), number, s.id, day, s.data) for s, number, day in zip(fresh, numbers, received_on, strict=True)
    ]
    added = await cases.add(new_cases)
    registered = []
    for case in new_cases:
        if case.submission_id not in added:
            log.info("submission already has a case", event_id=case.submission_id)
            continue
        event = _registered(case)
        await uow.emit(CASES_REGISTERED.name, str(case.case_id), event)
        registered.append(event)
    await uow.commit()
    log.debug("cases registered", cases=len(registered))
    return registered


def _registered(case: NewCase) -> CaseRegistered:
    data = case.submission
    return CaseRegistered.create(
        CaseRegisteredData(
            case_id=case.case_id,
            case_number=case.number,
            submission_id=case.submission_id,
            application_type=data.application_type,
            preferred_location=data.preferred_location,
            received_on=case.received_on,
            sponsor_id=data.sponsor_id,
            fee_paid=data.fee_paid,
            applicant=ApplicantProfile(**data.applicant.model_dump(exclude={"passport_number"})),
        ),
        source=SOURCE,
        subject=case.number,
    )


async def reject_submission(rejection: Unacceptable, record: ConsumedRecord, uow: UnitOfWork) -> SubmissionRejected | None:
    """Publish one rejection per rejected record (by position, so a corrected resubmission still counts)."""
    if not await uow.first_time(f"{CONSUMER}.rejections", record.position):
        return None
    event = SubmissionRejected.create(
        RejectionData(
            submission_id=rejection.message_id,
            errors=rejection.problems,
            origin=RecordOrigin(topic=record.topic, partition=record.partition, offset=record.offset),
        ),
        source=SOURCE,
        subject=rejection.message_id,
    )
    await uow.emit(REJECTIONS.name, rejection.message_id or record.position, event)
    await uow.commit()
    log.info("submission rejected", fields=[p.field for p in rejection.problems])
    return event
