"""What applicants supplied through the portal, kept on file (``decision.supplied_information``).

Kept whether or not a caseworker asked for it: what an applicant sent belongs to the case file
either way, and a caseworker deciding the case must be able to see it. Document names may be
personal data, so they are stored, never logged.
"""

from collections.abc import Sequence

from ind_runtime.records import Unprocessable
from ind_runtime.unit_of_work import UnitOfWork
from schemas.applicant import InformationSupplied


def refuse_unstorable(events: Sequence[InformationSupplied]) -> None:
    """Raise ``Unprocessable`` for an event whose document names PostgreSQL cannot store (a NUL, a
    lone surrogate: valid JSON can spell both); it breaks the contract, so it is parked at once
    instead of failing its batch's commit and then being retried in vain."""
    for event in events:
        for name in event.data.documents:
            if "\x00" in name or not _is_text(name):
                raise Unprocessable(
                    f"the documents supplied for case {event.data.case_number} hold a NUL or an unpaired surrogate, which no name may hold"
                )


def _is_text(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class SuppliedInformation:
    """What each applicant supplied, by the event that brought it."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def keep(self, event: InformationSupplied) -> None:
        """Keep what ``event`` supplied, once per event, when the unit of work commits (nothing
        reads it back before)."""
        self._uow.append(
            """insert into decision.supplied_information (event_id, case_id, source, supplied_at, documents)
               values ($1, $2, $3, $4, $5) on conflict (event_id) do nothing""",
            event.id,
            event.data.case_id,
            event.source,
            event.time,
            list(event.data.documents),
        )
