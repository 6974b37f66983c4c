"""Intake's handlers: each takes a screened submission and a unit of work, and commits or does nothing."""

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
from services.intake.cases import CaseRepository

CONSUMER = "intake"
SOURCE = "urn:ind:intake"
NETHERLANDS = ZoneInfo("Europe/Amsterdam")

log = get_logger(__name__)


def case_id_for(submission_id: str) -> UUID:
    """Derived from the submission id, so a replay can never mint a second id for the same case."""
    return uuid5(NAMESPACE_URL, f"urn:ind:submission:{submission_id}")


async def register_case(submission: ApplicationSubmitted, uow: UnitOfWork) -> CaseRegistered | None:
    """Make a case of a valid submission, once per submission id; None for a duplicate."""
    if not await uow.first_time(CONSUMER, submission.id):
        log.info("duplicate submission ignored")
        return None
    received_on = min(submission.time, datetime.now(timezone.utc)).astimezone(NETHERLANDS).date()
    cases = CaseRepository(uow.connection)
    case_id = case_id_for(submission.id)
    number = await cases.next_case_number(received_on)
    if not await cases.add(case_id, number, submission.id, received_on, submission.data):
        log.info("submission already has a case")
        return None
    data = submission.data
    event = CaseRegistered.create(
        CaseRegisteredData(
            case_id=case_id,
            case_number=number,
            submission_id=submission.id,
            application_type=data.application_type,
            preferred_location=data.preferred_location,
            received_on=received_on,
            sponsor_id=data.sponsor_id,
            fee_paid=data.fee_paid,
            applicant=ApplicantProfile(**data.applicant.model_dump(exclude={"passport_number"})),
        ),
        source=SOURCE,
        subject=number,
    )
    await uow.emit(CASES_REGISTERED.name, str(case_id), event)
    await uow.commit()
    log.debug("case registered", case_id=str(case_id), case_number=number)
    return event


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
