"""The decision service's repositories and unit of work in memory, for unit tests of its handlers.

Each fake repository has the methods of the real one (``test_decision_fakes.py`` holds them to it)
and keeps what PostgreSQL would keep; ``DecisionDatabase`` holds them across units of work, as the
database does across transactions. A ``FakeDecisionUnitOfWork`` records what it emits and whether
it committed, keeps the events it handled in a set (the inbox), and, like the real one, leaves the
database as it found it unless it commits (``fake_unit_of_work``).
"""

import copy
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from uuid import UUID, uuid4

from schemas.applicant import InformationSupplied
from schemas.appointments import AppointmentData, AppointmentPlace
from schemas.cases import ApplicantProfile
from services.decision.assessment import ApplicantFacts, Assessment
from services.decision.audit import AuditEntry
from services.decision.case import Case, CaseStatus
from services.decision.case_file import NewCase
from services.decision.caseworkers import Caseworker
from services.decision.claims import QUEUED, Claim
from services.decision.explanations import Explanation
from services.decision.staff import StaffMember, hash_password
from tests.unit.fake_unit_of_work import Emitted, FakeUnitOfWork

CLOCK_RUNNING = frozenset({CaseStatus.AWAITING_BIOMETRICS, CaseStatus.AWAITING_DECISION, CaseStatus.REFUSAL_PROPOSED})


class FakeCaseFile:
    def __init__(self) -> None:
        self.cases: dict[UUID, Case] = {}
        self.facts: dict[UUID, ApplicantFacts] = {}
        self.assessments: dict[UUID, Assessment] = {}
        self.document_due_at: dict[UUID, datetime] = {}
        self.warned_on: dict[UUID, date | None] = {}
        self.exceeded_on: dict[UUID, date] = {}
        self.history: list[tuple[UUID, CaseStatus, str, str]] = []  # case id, status, set by, explanation
        self.applicants: dict[UUID, ApplicantProfile] = {}
        self.appointments: dict[str, AppointmentData] = {}

    async def add(self, new_cases: Sequence[NewCase]) -> set[UUID]:
        filed = set()
        for new in new_cases:
            if new.case.case_id not in self.cases:
                self._keep(new.case)
                self.facts[new.case.case_id] = new.facts
                self.applicants[new.case.case_id] = new.applicant
                filed.add(new.case.case_id)
        return filed

    async def get_many(self, case_ids: Collection[UUID]) -> dict[UUID, tuple[Case, ApplicantFacts]]:
        return {case_id: (self.cases[case_id], self.facts[case_id]) for case_id in sorted(case_ids) if case_id in self.cases}

    async def save_many(self, cases: Sequence[Case], documents_due: Mapping[UUID, datetime] | None = None) -> None:
        for case in cases:
            self._keep(case)
        self.document_due_at.update(documents_due or {})

    async def save_resumed(self, cases: Sequence[Case]) -> None:
        for case in cases:
            self._keep(case)
            self.warned_on[case.case_id] = None

    async def save_assessed(self, assessed: Sequence[tuple[Case, Assessment]]) -> None:
        for case, assessment in assessed:
            self._keep(case)
            self.assessments[case.case_id] = assessment

    def note(self, case_id: UUID, status: CaseStatus, set_by: str, explanation: Explanation) -> None:
        self.history.append((case_id, status, set_by, explanation.text()))

    def keep_appointment(self, booked: AppointmentData) -> None:
        self.appointments.setdefault(booked.appointment_id, booked)

    def move_appointment(self, appointment_id: str, place: AppointmentPlace) -> None:
        booked = self.appointments[appointment_id]
        moved = {"location": place.location, "location_name": place.location_name, "date": place.date}
        self.appointments[appointment_id] = booked.model_copy(
            update={**moved, "start_time": place.start_time, "end_time": place.end_time}
        )

    def drop_appointment(self, appointment_id: str) -> None:
        self.appointments.pop(appointment_id, None)

    async def documents_due(self, now: datetime, limit: int) -> list[Case]:
        due = [
            case_id
            for case_id, case in self.cases.items()
            if case.status == CaseStatus.DOCUMENT_IN_PRODUCTION
            and case_id in self.document_due_at
            and self.document_due_at[case_id] <= now
        ]
        return [self.cases[case_id] for case_id in sorted(due, key=self.document_due_at.__getitem__)[:limit]]

    async def nearing_deadline(self, on_or_before: date, limit: int) -> list[Case]:
        return self._clock_running(self.warned_on, lambda deadline: deadline <= on_or_before, limit)

    async def past_deadline(self, today: date, limit: int) -> list[Case]:
        return self._clock_running(self.exceeded_on, lambda deadline: deadline < today, limit)

    async def mark_warned(self, case_ids: Collection[UUID], day: date) -> None:
        self.warned_on.update(dict.fromkeys(case_ids, day))

    async def mark_overdue(self, case_ids: Collection[UUID], day: date) -> None:
        self.exceeded_on.update(dict.fromkeys(case_ids, day))

    def _clock_running(self, marks: Mapping[UUID, date | None], due, limit: int) -> list[Case]:
        found = [
            case
            for case in self.cases.values()
            if case.status in CLOCK_RUNNING and marks.get(case.case_id) is None and due(case.deadline)
        ]
        return sorted(found, key=lambda case: case.deadline)[:limit]

    def _keep(self, case: Case) -> None:
        self.cases[case.case_id] = replace(case, events=())  # what the file holds: the state, as read back


class FakeAuditTrail:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


class FakeSuppliedInformation:
    def __init__(self) -> None:
        self.kept: dict[str, InformationSupplied] = {}  # by event id

    def keep(self, event: InformationSupplied) -> None:
        self.kept.setdefault(event.id, event)


class FakeClaims:
    def __init__(self, cases: FakeCaseFile) -> None:
        self._cases = cases
        self.held: dict[UUID, Claim] = {}

    async def of(self, case_ids: Collection[UUID]) -> dict[UUID, Claim]:
        return {case_id: self.held[case_id] for case_id in case_ids if case_id in self.held}

    async def end(self, case_ids: Collection[UUID]) -> None:
        for case_id in case_ids:
            self.held.pop(case_id, None)

    async def claim(self, case_id: UUID, staff_id: str) -> Claim | None:
        if case_id in self.held or not self._waiting(case_id):
            return None
        self.held[case_id] = Claim(uuid4(), staff_id)
        return self.held[case_id]

    async def release(self, case_id: UUID, claim_id: UUID) -> bool:
        if case_id in self.held and self.held[case_id].claim_id == claim_id:
            del self.held[case_id]
            return True
        return False

    async def reassign(self, case_id: UUID, staff_id: str) -> Claim | None:
        if not self._waiting(case_id):
            return None
        self.held[case_id] = Claim(uuid4(), staff_id)
        return self.held[case_id]

    def _waiting(self, case_id: UUID) -> bool:
        case = self._cases.cases.get(case_id)
        return case is not None and case.status.value in QUEUED


class FakeStaffDirectory:
    def __init__(self) -> None:
        self.members: dict[str, StaffMember] = {}
        self.hashes: dict[str, str] = {}

    async def get(self, staff_id: str) -> StaffMember | None:
        return self.members.get(staff_id)

    async def caseworkers(self, staff_ids: Collection[str]) -> dict[str, Caseworker]:
        return {i: self.members[i].caseworker for i in staff_ids if i in self.members and not self.members[i].disabled}

    async def password_hash(self, staff_id: str) -> str | None:
        member = self.members.get(staff_id)
        return self.hashes[staff_id] if member and not member.disabled else None

    async def rehash(self, staff_id: str, password: str) -> None:
        self.hashes[staff_id] = hash_password(password)

    async def add(self, member: StaffMember, password: str) -> None:
        if member.staff_id in self.members:
            raise ValueError(f"there is already someone with the id {member.staff_id!r}")
        self.members[member.staff_id] = member
        self.hashes[member.staff_id] = hash_password(password)

    async def reset_password(self, staff_id: str, password: str) -> bool:
        member = self.members.get(staff_id)
        if member is None:
            return False
        self.members[staff_id] = replace(member, session_epoch=member.session_epoch + 1, disabled=False)
        self.hashes[staff_id] = hash_password(password)
        return True

    async def end_sessions(self, staff_id: str) -> None:
        member = self.members[staff_id]
        self.members[staff_id] = replace(member, session_epoch=member.session_epoch + 1)

    async def disable(self, staff_id: str) -> bool:
        member = self.members.get(staff_id)
        if member is None:
            return False
        self.members[staff_id] = replace(member, session_epoch=member.session_epoch + 1, disabled=True)
        return True

    async def everyone(self) -> list[StaffMember]:
        return [self.members[staff_id] for staff_id in sorted(self.members)]


class DecisionDatabase:
    """What the decision service keeps, across units of work: its repositories, the inbox of events
    it handled and the outbox of what committed units emitted."""

    def __init__(self) -> None:
        self.cases = FakeCaseFile()
        self.claims = FakeClaims(self.cases)
        self.staff = FakeStaffDirectory()
        self.audit_trail = FakeAuditTrail()
        self.supplied_information = FakeSuppliedInformation()
        self.inbox: set[tuple[str, str]] = set()
        self.outbox: list[Emitted] = []

    def unit_of_work(self) -> "FakeDecisionUnitOfWork":
        return FakeDecisionUnitOfWork(self)

    def snapshot(self) -> dict:
        return copy.deepcopy(
            {name: vars(repository) for name, repository in self._repositories().items()} | {"inbox": self.inbox}
        )

    def restore(self, snapshot: dict) -> None:
        for name, repository in self._repositories().items():
            vars(repository).update(snapshot[name])
        self.inbox = snapshot["inbox"]

    def _repositories(self) -> dict:
        return {
            "cases": self.cases,
            "claims": self.claims,
            "staff": self.staff,
            "audit_trail": self.audit_trail,
            "supplied_information": self.supplied_information,
        }


class FakeDecisionUnitOfWork(FakeUnitOfWork):
    """``DecisionUnitOfWork`` in memory, over a ``DecisionDatabase``."""

    async def __aenter__(self) -> "FakeDecisionUnitOfWork":
        await super().__aenter__()
        self.cases = self._database.cases
        self.claims = self._database.claims
        self.staff = self._database.staff
        self.audit_trail = self._database.audit_trail
        self.supplied_information = self._database.supplied_information
        return self
