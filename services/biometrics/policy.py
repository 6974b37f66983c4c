"""What the desk service's handlers and its waiting-list pass are configured with."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DeskPolicy:
    """The desks' capacity is not here: the agenda is made with it (``unit_of_work.DeskUnitOfWork``)."""

    no_show_limit: int
    today: Callable[[], date]
