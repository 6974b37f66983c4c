"""The in-memory repositories of ``desk_fakes`` answer to the calls the real ones take, so a handler
that passes its unit tests calls nothing that PostgreSQL's would not answer."""

import inspect

import pytest

from services.biometrics.agenda import DeskAgenda
from services.biometrics.applicant_bookings import ApplicantBookings
from services.biometrics.appointments import Appointments
from services.biometrics.cases import DeskCases
from services.biometrics.holds import Holds
from services.biometrics.slot_alerts import SlotAlerts
from services.biometrics.unit_of_work import DeskUnitOfWork
from services.biometrics.waiting_list import WaitingList
from tests.unit.alert_fakes import FakeSlotAlerts
from tests.unit.desk_fakes import FakeAppointments, FakeDesk, FakeDeskAgenda, FakeDeskCases, FakeWaitingList
from tests.unit.self_service_fakes import FakeApplicantBookings, FakeHolds

# The slot search API's, on a connection of its own: no handler reaches it through a unit of work.
NOT_FAKED = {(DeskAgenda, "free_slots")}


def signatures(repository: type) -> dict[str, inspect.Signature]:
    """The public methods of ``repository`` (every one is awaited), as they are declared."""
    return {
        name: inspect.signature(method)
        for name, method in vars(repository).items()
        if inspect.iscoroutinefunction(method) and not name.startswith("_") and (repository, name) not in NOT_FAKED
    }


@pytest.mark.parametrize(
    "real, fake",
    [
        (DeskCases, FakeDeskCases),
        (Appointments, FakeAppointments),
        (DeskAgenda, FakeDeskAgenda),
        (WaitingList, FakeWaitingList),
        (Holds, FakeHolds),
        (ApplicantBookings, FakeApplicantBookings),
        (SlotAlerts, FakeSlotAlerts),
    ],
)
def test_a_fake_repository_takes_every_call_of_the_real_one(real, fake):
    assert signatures(fake) == signatures(real)


async def test_the_fake_unit_of_work_carries_a_fake_of_each_repository_of_the_real_one():
    repositories = set(DeskUnitOfWork.__annotations__) - {"capacity_overrides"}
    async with FakeDesk().unit_of_work() as uow:
        carried = {name: type(getattr(uow, name)).__name__ for name in repositories}

    assert carried == {
        "cases": "FakeDeskCases",
        "appointments": "FakeAppointments",
        "agenda": "FakeDeskAgenda",
        "waiting_list": "FakeWaitingList",
        "holds": "FakeHolds",
        "bookings": "FakeApplicantBookings",
        "alerts": "FakeSlotAlerts",
    }
