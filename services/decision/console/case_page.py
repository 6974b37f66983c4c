"""Everything a caseworker reads about one case, gathered for its page in one transaction."""

import json
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class CaseView:
    case: asyncpg.Record
    findings: list[dict]
    history: list[asyncpg.Record]
    audit: list[asyncpg.Record]
    notes: list[asyncpg.Record]
    appointments: list[asyncpg.Record]
    supplied: list[asyncpg.Record]
    requested: list[asyncpg.Record]
    days_suspended: int

    @property
    def waiting(self) -> bool:
        return self.case["status"] in ("awaiting_decision", "refusal_proposed")


async def case_view(connection: asyncpg.Connection, case_id: UUID, today: date) -> CaseView | None:
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        case = await connection.fetchrow(
            """select c.case_id, c.case_number, c.application_type, c.status, c.received_on, c.deadline, c.pickup_location,
                      c.suspended_days, c.suspended_on, c.refusal_proposed_by, c.outcome, c.recommendation, c.findings,
                      c.date_of_birth, c.nationality, c.sponsor_id, c.fee_paid, c.claimed_by, c.claim_id, c.claimed_at,
                      c.given_names, c.surname, c.passport_ending
               from decision.cases c where c.case_id = $1""",
            case_id,
        )
        if case is None:
            return None
        by_case = (case_id,)
        history = await connection.fetch(
            "select status, at, set_by, explanation from decision.status_history where case_id = $1 order by id", *by_case
        )
        audit = await connection.fetch(
            """select at, command_id, caseworker_id, action, reason, accepted, rejection_code, rejection_reason
               from decision.audit_trail where case_id = $1 order by id""",
            *by_case,
        )
        notes = await connection.fetch(
            "select at, staff_id, note from decision.case_notes where case_id = $1 order by id", *by_case
        )
        appointments = await connection.fetch(
            """select appointment_id, product, location_name, day, start_time, end_time, persons, attempt
               from decision.appointments where case_id = $1 order by day, start_time""",
            *by_case,
        )
        supplied = await connection.fetch(
            "select supplied_at, documents from decision.supplied_information where case_id = $1 order by supplied_at", *by_case
        )
        requested = [entry for entry in audit if entry["action"] == "request_information" and entry["accepted"]]
    suspended = case["suspended_days"] + ((today - case["suspended_on"]).days if case["suspended_on"] else 0)
    return CaseView(case, json.loads(case["findings"]), history, audit, notes, appointments, supplied, requested, suspended)


async def command_answer(connection: asyncpg.Connection, case_id: UUID, command_id: str) -> asyncpg.Record | None:
    """The decision service's answer to a command the console sent, once it has carried it out or
    refused it (its audit entry is written with the answer); None while it is on its way."""
    return await connection.fetchrow(
        """select action, accepted, rejection_code, rejection_reason from decision.audit_trail
           where case_id = $1 and command_id = $2 order by id limit 1""",
        case_id,
        command_id,
    )
