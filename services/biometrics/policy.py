"""What the desk service's handlers and its waiting-list pass are configured with."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DeskPolicy:
    no_show_limit: int
    capacity_overrides: dict
    today: Callable[[], date]
