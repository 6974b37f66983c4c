"""The case's flow as other systems report it: registered (intake), the desk stage's reports
(biometrics), information supplied (the applicant portal) and the document collected (a desk).

Each handler takes a batch of events and a unit of work, handles each event once, with one read of
the cases and one write of those that moved, and commits.
"""

from collections.abc import Sequence
from uuid import UUID

from ind_runtime.logs import get_logger
from ind_runtime.records import Unprocessable
from ind_runtime.routing import split_by_case
from schemas.applicant import InformationSupplied
from schemas.appointments import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
    BiometricsCompleted,
    CaseFlagged,
)
from schemas.cases import CaseRegistered
from schemas.desk import DocumentCollected
from schemas.lifecycle import Finding
from services.decision.assessment import ApplicantFacts, Assessment, assess_applicant, desk_flag
from services.decision.case import Case, CaseStatus, document_collected, open_case, ready_for_decision, resume
from services.decision.case_file import NewCase
from services.decision.deadlines import dutch_date
from services.decision.explanations import Explanation
from services.decision.policy import CONSUMER, DecisionPolicy
from services.decision.supplied_information import refuse_unstorable
from services.decision.unit_of_work import DecisionUnitOfWork, announce

log = get_logger(__name__)

DeskStageReport = AppointmentBooked | BiometricsCompleted | CaseFlagged | AppointmentRescheduled | AppointmentCancelled


async def cases_registered(events: Sequence[CaseRegistered], uow: DecisionUnitOfWork, policy: DecisionPolicy) -> None:
    """Open a case file for each registration (once, however often it comes), with two statements
    for a batch of them and the first status the applicant sees."""
    new_cases = []
    for event in await uow.new_events(CONSUMER, events):
        data = event.data
        case = open_case(data.case_id, data.case_number, data.application_type, data.received_on, data.preferred_location)
        applicant = ApplicantFacts(data.applicant.date_of_birth, data.applicant.nationality, data.sponsor_id, data.fee_paid)
        new_cases.append(NewCase(case, applicant, data.applicant))
    if not new_cases:
        return
    filed = await uow.cases.add(new_cases)
    for case in (new.case for new in new_cases if new.case.case_id in filed):
        received, due = dutch_date(case.received_on), dutch_date(case.deadline)
        uow.cases.note(case.case_id, case.status, "intake", Explanation("received", {"received": received, "due": due}))
    await uow.commit()


async def desk_stage_reports(
    events: Sequence[DeskStageReport], uow: DecisionUnitOfWork, policy: DecisionPolicy
) -> list[DeskStageReport]:
    """Follow a batch of the desk stage's reports on cases (each report once): note an appointment,
    and queue a case for a caseworker once its biometrics are done or the desk gave up on it, with
    one read of the cases and one write of those that moved. Returns the reports about a case not
    registered here yet, with every later one about it, to wait for its registration."""
    events = [event for event in events if event.data.case_id is not None]  # a booking without a case is not ours
    filed = await uow.cases.get_many({_case_of(event) for event in events})
    taken, left = split_by_case(events, filed)
    cases = {case_id: case for case_id, (case, _facts) in filed.items()}
    moved: dict[UUID, tuple[Case, Assessment]] = {}
    for event in await uow.new_events(CONSUMER, taken):
        case, applicant = cases[_case_of(event)], filed[_case_of(event)][1]
        if isinstance(event, AppointmentBooked):
            booked = event.data
            when = {"day": dutch_date(booked.date), "time": f"{booked.start_time:%H:%M}", "location": booked.location_name}
            uow.cases.note(
                case.case_id, case.status, "biometrics", Explanation("appointment", {"product": booked.product.value, **when})
            )
            uow.cases.keep_appointment(booked)
            continue
        if isinstance(event, AppointmentRescheduled | AppointmentCancelled):
            _appointment_changed(uow, case, event)
            continue
        if isinstance(event, BiometricsCompleted):
            if case.status != CaseStatus.AWAITING_BIOMETRICS:
                continue
            done = "biometrics_captured" if event.data.captured else "no_biometrics_needed"
            flags: tuple[Finding, ...] = ()
            location = event.data.location
        else:
            flag = desk_flag(event.data.reason)
            if case.status != CaseStatus.AWAITING_BIOMETRICS:
                uow.cases.note(case.case_id, case.status, "biometrics", Explanation("desk_flag", {"note": event.data.reason}))
                continue
            done, flags, location = "flagged_by_the_desk", (flag,), None
        assessment = assess_applicant(case.application_type, applicant, policy.today()).with_findings(*flags)
        case = ready_for_decision(case, assessment, location)
        cases[case.case_id], moved[case.case_id] = case, (case, assessment)
        uow.cases.note(case.case_id, case.status, "decision", Explanation(done))
        await announce(uow, case.events)
    await uow.cases.save_assessed(list(moved.values()))
    await uow.commit()
    return left


def _case_of(event: DeskStageReport) -> UUID:
    assert event.data.case_id is not None  # reports without a case are left out first
    return event.data.case_id


def _appointment_changed(uow: DecisionUnitOfWork, case: Case, event: AppointmentRescheduled | AppointmentCancelled) -> None:
    """Keep the case's appointments as the applicant changed them, and say so in its history."""
    change = event.data
    if isinstance(event, AppointmentRescheduled):
        place, key = event.data.current, "appointment_moved"
        uow.cases.move_appointment(change.appointment_id, place)
    else:
        place, key = event.data.place, "appointment_cancelled"
        uow.cases.drop_appointment(change.appointment_id)
    when = {"product": change.product.value, "day": dutch_date(place.date), "time": f"{place.start_time:%H:%M}"}
    uow.cases.note(case.case_id, case.status, "applicant", Explanation(key, {**when, "location": place.location_name}))


async def information_supplied(events: Sequence[InformationSupplied], uow: DecisionUnitOfWork, policy: DecisionPolicy) -> None:
    """Keep on file what an applicant supplied, and resume each case that was waiting for it (each
    event once), with one read of the cases and one write of those resumed. An event naming a case
    not filed here, or by another number, or supplying names no column can hold, is Unprocessable:
    the batch is then taken one by one and that one parked."""
    cases = await _named(uow, events)
    refuse_unstorable(events)
    resumed: dict[UUID, Case] = {}
    for event in await uow.new_events(CONSUMER, events):
        case = cases[event.data.case_id]
        uow.supplied_information.keep(event)
        if case.status != CaseStatus.AWAITING_INFORMATION:
            log.info("information supplied while none was requested; kept on file only", status=case.status.value)
            continue
        case = resume(case, policy.today())
        cases[case.case_id] = resumed[case.case_id] = case
        due = dutch_date(case.deadline)
        uow.cases.note(case.case_id, case.status, "applicant", Explanation("information_received", {"due": due}))
        await announce(uow, case.events)
    await uow.cases.save_resumed(list(resumed.values()))
    await uow.commit()


async def documents_collected(events: Sequence[DocumentCollected], uow: DecisionUnitOfWork, policy: DecisionPolicy) -> None:
    """Close each case whose residence document the applicant collected (each report once), with
    one read of the cases and one write of those closed. A report naming a case not filed here,
    or by another number, is Unprocessable: the batch is then taken one by one and that one parked."""
    cases = await _named(uow, events)
    closed: dict[UUID, Case] = {}
    for event in await uow.new_events(CONSUMER, events):
        case = cases[event.data.case_id]
        if case.status != CaseStatus.AWAITING_PICKUP:
            continue
        case = document_collected(case, policy.today())
        cases[case.case_id] = closed[case.case_id] = case
        uow.cases.note(case.case_id, case.status, event.data.desk_officer, Explanation("document_collected"))
        await announce(uow, case.events)
    await uow.cases.save_many(list(closed.values()))
    await uow.commit()


async def _named(uow: DecisionUnitOfWork, events: Sequence[InformationSupplied | DocumentCollected]) -> dict[UUID, Case]:
    """The cases named by outside systems, locked, by id; each event must get both id and number right."""
    filed = await uow.cases.get_many({event.data.case_id for event in events})
    cases = {case_id: case for case_id, (case, _facts) in filed.items()}
    for event in events:
        case = cases.get(event.data.case_id)
        if case is None or case.case_number != event.data.case_number:
            raise Unprocessable(f"no case {event.data.case_number} with id {event.data.case_id}")
    return cases
