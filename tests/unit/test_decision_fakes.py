"""The in-memory repositories of ``decision_fakes`` offer what the real ones do, with the same
parameters, so a handler that passes its unit tests calls nothing PostgreSQL's would not answer."""

import inspect

import pytest

from services.decision.audit import AuditTrail
from services.decision.case_file import CaseFile
from services.decision.claims import Claims
from services.decision.staff import StaffDirectory
from services.decision.supplied_information import SuppliedInformation
from services.decision.unit_of_work import DecisionUnitOfWork
from tests.unit.decision_fakes import (
    DecisionDatabase,
    FakeAuditTrail,
    FakeCaseFile,
    FakeClaims,
    FakeStaffDirectory,
    FakeSuppliedInformation,
)


def public_methods(cls: type) -> dict[str, tuple]:
    """Each public method's parameters (names, kinds and defaults) and whether it is awaited."""
    return {
        name: (
            [(p.name, p.kind, p.default) for p in inspect.signature(method).parameters.values()],
            inspect.iscoroutinefunction(method),
        )
        for name, method in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


@pytest.mark.parametrize(
    "real, fake",
    [
        (CaseFile, FakeCaseFile),
        (Claims, FakeClaims),
        (StaffDirectory, FakeStaffDirectory),
        (AuditTrail, FakeAuditTrail),
        (SuppliedInformation, FakeSuppliedInformation),
    ],
)
def test_a_fake_repository_has_every_method_of_the_real_one_with_the_same_parameters(real, fake):
    assert public_methods(fake) == public_methods(real)


async def test_the_fake_unit_of_work_carries_the_repositories_the_real_one_does():
    async with DecisionDatabase().unit_of_work() as uow:
        carried = {name: type(getattr(uow, name)).__name__ for name in DecisionUnitOfWork.__annotations__}

    assert carried == {
        "cases": "FakeCaseFile",
        "claims": "FakeClaims",
        "staff": "FakeStaffDirectory",
        "audit_trail": "FakeAuditTrail",
        "supplied_information": "FakeSuppliedInformation",
    }
