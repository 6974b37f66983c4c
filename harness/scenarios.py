"""What happens to each sample application, and therefore which emails and outcome it must end with.

A scenario is the plan the simulated desks, caseworkers and applicant follow for one case; the
expectations are derived from it independently of the services' code, so a test can compare them.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from harness.applications import submission
from schemas.codes import ApplicationType, LocationCode

NO_SHOW_LIMIT = 3
RESIDENCE_TYPES = {t for t in ApplicationType if t.value.startswith("residence.")}


class Scenario(StrEnum):
    GRANT = "grant"
    REFUSE = "refuse"  # proposed by one caseworker, confirmed by another
    INFORMATION = "information"  # information requested, supplied, then granted
    NO_SHOW = "no_show"  # misses the first biometrics appointment, then granted
    FLAGGED = "flagged"  # misses every biometrics appointment, flagged, then refused
    LATE = "late"  # received long ago: the deadline has passed; apology, then granted
    STICKER = "sticker"  # asks for a residence endorsement sticker while waiting, then granted


ALL = tuple(Scenario)


def needs_biometrics(kind: ApplicationType) -> bool:
    return kind in RESIDENCE_TYPES or kind == ApplicationType.ASYLUM


def gets_document(kind: ApplicationType) -> bool:
    return kind not in (ApplicationType.MVV, ApplicationType.NATURALISATION)


def effective(scenario: Scenario, kind: ApplicationType) -> Scenario:
    """Scenarios that need a desk step fall back when the type never visits a desk before deciding."""
    if scenario in (Scenario.NO_SHOW, Scenario.FLAGGED) and not needs_biometrics(kind):
        return Scenario.GRANT if scenario == Scenario.NO_SHOW else Scenario.REFUSE
    if scenario == Scenario.STICKER and kind not in RESIDENCE_TYPES:
        return Scenario.GRANT
    return scenario


@dataclass(frozen=True)
class Expectation:
    outcome: str
    emails: Counter
    statuses: tuple[str, ...]  # statuses the history must pass through, in order


def expected(scenario: Scenario, kind: ApplicationType) -> Expectation:
    scenario = effective(scenario, kind)
    refused = scenario in (Scenario.REFUSE, Scenario.FLAGGED)
    emails = Counter({"application_received": 1, "case_closed": 1})
    if needs_biometrics(kind):
        emails["biometrics_appointment"] = {Scenario.NO_SHOW: 2, Scenario.FLAGGED: NO_SHOW_LIMIT}.get(scenario, 1)
    emails["decision_refused" if refused else "decision_granted"] = 1
    if not refused and gets_document(kind):
        emails["document_ready"] = 1
    if scenario == Scenario.INFORMATION:
        emails["information_requested"] = 1
    if scenario == Scenario.LATE:
        emails["deadline_exceeded"] = 1
    if scenario == Scenario.STICKER:
        emails["sticker_appointment"] = 1
    statuses = ["awaiting_biometrics", "awaiting_decision"]
    if scenario == Scenario.INFORMATION:
        statuses += ["awaiting_information", "awaiting_decision"]
    if refused:
        statuses += ["refusal_proposed"]
    elif gets_document(kind):
        statuses += ["document_in_production", "awaiting_pickup"]
    statuses.append("closed")
    return Expectation("refused" if refused else "granted", emails, tuple(statuses))


def sample_plan(count: int, rng: random.Random) -> list[tuple[dict, Scenario]]:
    """``count`` submissions with their scenarios: every type x scenario pair in turn, locations
    cycling through all thirteen; a LATE one was received 400 days ago (past every period)."""
    types, locations = list(ApplicationType), list(LocationCode)
    plan = []
    for i in range(count):
        kind, scenario = types[i % len(types)], ALL[(i // len(types)) % len(ALL)]
        document = submission(kind, locations[i % len(locations)], rng=rng)
        if scenario == Scenario.LATE:
            document["time"] = (datetime.now(UTC) - timedelta(days=400)).isoformat()
        plan.append((document, scenario))
    return plan
