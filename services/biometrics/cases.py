"""What the desk service knows of a case (``biometrics.cases``): enough to book its appointments
and to check what the desks report about it."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import asyncpg

from schemas.codes import ApplicationType, LocationCode


@dataclass(frozen=True)
class DeskCase:
    case_id: UUID
    case_number: str
    application_type: ApplicationType
    preferred_location: LocationCode
    biometrics_location: LocationCode | None  # where the case's biometrics were taken, once they are
    document_number: str | None = None  # of the residence document produced for the case, once it is
    date_of_birth: date | None = None  # the applicant's, which an applicant booking for the case must name


class DeskCases:
    """The cases registered here. Every method takes many cases and spends one statement on them,
    so that a batch of records costs what one does."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def add(self, cases: Sequence[DeskCase]) -> None:
        """Register ``cases``; one registered before stays as it is (a registration comes again)."""
        await self._connection.execute(
            """insert into biometrics.cases (case_id, case_number, application_type, preferred_location, date_of_birth)
               select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[]) on conflict (case_id) do nothing""",
            [case.case_id for case in cases],
            [case.case_number for case in cases],
            [case.application_type.value for case in cases],
            [case.preferred_location.value for case in cases],
            [case.date_of_birth for case in cases],
        )

    async def get(self, case_id: UUID) -> DeskCase | None:
        return (await self.get_many({case_id})).get(case_id)

    async def get_many(self, case_ids: Collection[UUID]) -> dict[UUID, DeskCase]:
        """The cases among ``case_ids`` registered here."""
        rows = await self._connection.fetch("select * from biometrics.cases where case_id = any($1::uuid[])", list(case_ids))
        return {row["case_id"]: _case(row) for row in rows}

    async def by_number(self, case_number: str) -> DeskCase | None:
        """The case registered here with ``case_number``, if there is one."""
        row = await self._connection.fetchrow("select * from biometrics.cases where case_number = $1", case_number)
        return _case(row) if row is not None else None

    async def set_document_numbers(self, numbers: Mapping[UUID, str]) -> None:
        """Record the residence document produced for each case (a later one replaces an earlier one:
        the latest is the one to collect)."""
        if numbers:
            await self._connection.execute(
                """update biometrics.cases c set document_number = t.number
                   from unnest($1::uuid[], $2::text[]) as t (case_id, number)
                   where c.case_id = any($1::uuid[]) and c.case_id = t.case_id""",
                list(numbers),
                list(numbers.values()),
            )

    async def set_biometrics_locations(self, locations: Mapping[UUID, LocationCode]) -> None:
        """Record where each case's biometrics were taken."""
        if locations:
            await self._connection.execute(
                """update biometrics.cases c set biometrics_location = t.location
                   from unnest($1::uuid[], $2::text[]) as t (case_id, location)
                   where c.case_id = any($1::uuid[]) and c.case_id = t.case_id""",
                list(locations),
                [location.value for location in locations.values()],
            )


def _case(row: asyncpg.Record) -> DeskCase:
    return DeskCase(
        row["case_id"],
        row["case_number"],
        ApplicationType(row["application_type"]),
        LocationCode(row["preferred_location"]),
        LocationCode(row["biometrics_location"]) if row["biometrics_location"] else None,
        row["document_number"],
        row["date_of_birth"],
    )
