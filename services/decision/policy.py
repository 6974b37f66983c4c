"""What the decision service's handlers and timers are configured with."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.decision.caseworkers import Caseworker

CONSUMER = "decision"
"""The name under which the service records the events it handled (``UnitOfWork.new_events``)."""


@dataclass(frozen=True)
class DecisionPolicy:
    roster: dict[str, Caseworker]
    tool_keys: dict[str, bytes]
    today: Callable[[], date]
    now: Callable[[], datetime]
    document_lead_time: timedelta
    deadline_warning_days: int
