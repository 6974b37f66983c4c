"""The desk service's unit of work: the runtime's transaction, with the desk's repositories on it.

Handlers reach the agenda, the cases, the appointments, the waiting list, the holds, the
applicants' bookings and their alerts for free slots only as attributes of their unit of work, never by building them from its
connection, so a unit test can hand them an in-memory one (``tests/unit/desk_fakes.py``) and test
their rules without PostgreSQL.
"""

from typing import Self

from ind_runtime.unit_of_work import UnitOfWork
from services.biometrics.agenda import DeskAgenda
from services.biometrics.applicant_bookings import ApplicantBookings
from services.biometrics.appointments import Appointments
from services.biometrics.capacity import Overrides
from services.biometrics.cases import DeskCases
from services.biometrics.holds import Holds
from services.biometrics.slot_alerts import SlotAlerts
from services.biometrics.waiting_list import WaitingList


class DeskUnitOfWork(UnitOfWork):
    """A unit of work with ``cases``, ``appointments``, ``agenda``, ``waiting_list``, ``holds``,
    ``bookings`` (applicants' own) and ``alerts`` (theirs for free slots), made anew for each unit,
    over its transaction.

    The agenda opens days with the configured capacity, but the worker makes its units of work
    with the pool and publisher only (``WorkerResources.use_unit_of_work`` takes a class), so the
    configuration travels on the class: ``configured(overrides)`` makes a subclass that carries
    it. A class attribute and no global, so tests and workers with other capacities live side by
    side in one process.
    """

    capacity_overrides: Overrides = {}
    cases: DeskCases
    appointments: Appointments
    agenda: DeskAgenda
    waiting_list: WaitingList
    holds: Holds
    bookings: ApplicantBookings
    alerts: SlotAlerts

    @classmethod
    def configured(cls, capacity_overrides: Overrides) -> type[Self]:
        """This unit of work for desks with ``capacity_overrides`` (see ``capacity``)."""
        return type(cls.__name__, (cls,), {"capacity_overrides": capacity_overrides})

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.cases = DeskCases(self.connection)
        self.appointments = Appointments(self.connection)
        self.agenda = DeskAgenda(self.connection, self.capacity_overrides)
        self.waiting_list = WaitingList(self.connection)
        self.holds = Holds(self.connection)
        self.bookings = ApplicantBookings(self.connection)
        self.alerts = SlotAlerts(self.connection)
        return self
