"""Intake's handlers: each takes screened submissions (or a rejection) and a unit of work, and commits or does nothing."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from ind_runtime.logs import get_logger
from ind_runtime.records import ConsumedRecord
from ind_runtime.screening import Unacceptable
from ind_runtime.unit_of_work import UnitOfWork
from schemas.cases import ApplicantProfile, CaseRegistered, CaseRegisteredData
from schemas.submissions import ApplicationSubmitted, Problem, RecordOrigin, RejectionData, SubmissionRejected
from schemas.topics import CASES_REGISTERED, REJECTIONS
from services.intake.cases import CaseRepository, NewCase
from services.intake.fingerprints import submission_fingerprint
from services.intake.unit_of_work import IntakeUnitOfWork

CONSUMER = "intake"
REJECTED = f"{CONSUMER}.rejections"  # the inbox of rejected records, by position
SOURCE = "urn:ind:intake"
NETHERLANDS = ZoneInfo("Europe/Amsterdam")

log = get_logger(__name__)


def case_id_for(submission_id: str) -> UUID:
    """Derived from the submission id, so a replay can never mint a second id for the same case."""
    return uuid5(NAMESPACE_URL, f"urn:ind:submission:{submission_id}")


Submitted = tuple[ConsumedRecord, ApplicationSubmitted]
"""A valid submission with the record it came in (a rejection names where that was)."""

REUSED_ID = Problem(
    field="id",
    message="this id was already used for another submission with different content; "
    "a new submission needs an id of its own (the same submission sent again is ignored)",
)


async def register_cases(submitted: Sequence[Submitted], uow: IntakeUnitOfWork) -> list[CaseRegistered]:
    """Make a case of each valid submission, once per submission id, with a few statements for all
    of them (a batch of them costs little more than one); returns the cases made, in order.

    An id that has a case already (from earlier in the batch or before it) is a replay or a
    producer's retry when its content is the same, and changes nothing; with other content it is
    an id reused for another submission, which must not vanish unnoticed: its record is rejected."""
    unseen = await uow.first_times(CONSUMER, [submission.id for _record, submission in submitted])
    first: dict[str, int] = {}  # submission id -> position of its first copy, for ids not seen before
    for position, (_record, submission) in enumerate(submitted):
        if submission.id in unseen:
            first.setdefault(submission.id, position)
    cases = uow.cases
    made = await _make_cases(cases, [submitted[position][1] for position in first.values()])
    made_at = {first[case.submission_id] for case in made}
    again = [item for position, item in enumerate(submitted) if position not in made_at]
    reused = await _reused_ids(cases, again, {case.submission_id: case.fingerprint for case in made})
    if len(again) > len(reused):
        log.info("duplicate submissions ignored", count=len(again) - len(reused))
    registered = []
    for case in made:
        event = _registered(case)
        await uow.emit(CASES_REGISTERED.name, str(case.case_id), event)
        registered.append(event)
    await _reject_reused_ids(reused, uow)
    await uow.commit()
    log.debug("cases registered", cases=len(registered))
    return registered


async def _make_cases(cases: CaseRepository, submissions: Sequence[ApplicationSubmitted]) -> list[NewCase]:
    """A case of each submission, numbered in their order, but of one whose id has a case already;
    returns those made."""
    if not submissions:
        return []
    today = datetime.now(UTC)
    received_on = [min(s.time, today).astimezone(NETHERLANDS).date() for s in submissions]
    numbers = await cases.next_case_numbers(received_on)
    new_cases = [
        NewCase(case_id_for(s.id), number, s.id, day, s.data, submission_fingerprint(s))
        for s, number, day in zip(submissions, numbers, received_on, strict=True)
    ]
    added = await cases.add(new_cases)
    return [case for case in new_cases if case.submission_id in added]


async def _reused_ids(cases: CaseRepository, again: Sequence[Submitted], made: Mapping[str, str]) -> list[Submitted]:
    """Those of ``again`` (copies of ids that have a case) whose content differs from what made the
    case: ``made`` gives the fingerprints of the cases made just now, one statement the others'."""
    if not again:
        return []
    earlier: dict[str, str | None] = dict(made)
    if elsewhere := {submission.id for _record, submission in again} - earlier.keys():
        earlier |= await cases.fingerprints(elsewhere)
    # None: a case from before fingerprints were kept (or none at all), which cannot be compared
    return [
        (record, submission)
        for record, submission in again
        if earlier.get(submission.id) not in (None, submission_fingerprint(submission))
    ]


async def _reject_reused_ids(reused: Sequence[Submitted], uow: UnitOfWork) -> None:
    """Reject each record that reused an id, once per record (by position, as ``reject_submission``)."""
    if not reused:
        return
    first_times = await uow.first_times(REJECTED, [record.position for record, _submission in reused])
    for record, submission in reused:
        if record.position in first_times:
            await uow.emit(REJECTIONS.name, submission.id, _rejection(submission.id, [REUSED_ID], record))
    if first_times:
        log.info("submissions reusing an id rejected", count=len(first_times))


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
            applicant=ApplicantProfile(
                **data.applicant.model_dump(exclude={"passport_number"}), passport_ending=data.applicant.passport_number[-3:]
            ),
        ),
        source=SOURCE,
        subject=case.number,
    )


async def reject_submission(rejection: Unacceptable, record: ConsumedRecord, uow: UnitOfWork) -> SubmissionRejected | None:
    """Publish one rejection per rejected record (by position, so a corrected resubmission still counts)."""
    if not await uow.first_time(REJECTED, record.position):
        return None
    event = _rejection(rejection.message_id, rejection.problems, record)
    await uow.emit(REJECTIONS.name, rejection.message_id or record.position, event)
    await uow.commit()
    log.info("submission rejected", fields=[p.field for p in rejection.problems])
    return event


def _rejection(submission_id: str | None, problems: list[Problem], record: ConsumedRecord) -> SubmissionRejected:
    return SubmissionRejected.create(
        RejectionData(
            submission_id=submission_id,
            errors=problems,
            origin=RecordOrigin(topic=record.topic, partition=record.partition, offset=record.offset),
        ),
        source=SOURCE,
        subject=submission_id,
    )
