"""The free seats of one product's booking window, read from the agenda and handed out in memory.

Bookings take turns on the agenda (see ``agenda``), so while a batch of them has its turn,
nothing else changes the seats it read: it can give every booking its slot here, in order, and
write them all at once. Each location's slots are read earliest first and only as far as needed,
so a booking can tell the earliest slot at a location from the slots read so far, or say that it
needs more of them read. Bookings of one batch may have windows of their own (a booking again
after a no-show starts after the missed day): the slots are read from the earliest window's first
day, and each booking takes its seat within its own window.
"""

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from schemas.codes import LocationCode


@dataclass
class FreeSlot:
    key: str
    location: LocationCode
    day: date
    start: time
    end: time
    free: int  # seats not yet taken


class SlotsNotRead(Exception):
    """The earliest slot with room at ``location`` may lie beyond the slots read there so far."""

    def __init__(self, location: LocationCode) -> None:
        super().__init__(f"more free slots to read at {location.value}")
        self.location = location


@dataclass
class _Read:
    slots: deque[FreeSlot]  # those with seats left, earliest first
    last: FreeSlot | None  # the latest read, full or not: the next read starts after it
    complete: bool  # every slot with room in the window has been read


class FreeSeats:
    def __init__(self) -> None:
        self._read: dict[LocationCode, _Read] = {}

    def add(self, location: LocationCode, slots: Sequence[FreeSlot], complete: bool) -> None:
        """Slots read at ``location``, earliest first and later than every slot read there before."""
        read = self._read.setdefault(location, _Read(deque(), None, False))
        read.slots.extend(slots)
        read.last = slots[-1] if slots else read.last
        read.complete = complete

    def last_read(self, location: LocationCode) -> FreeSlot | None:
        read = self._read.get(location)
        return read.last if read else None

    def take(self, locations: Sequence[LocationCode], persons: int, first: date, last: date) -> FreeSlot | None:
        """Take ``persons`` seats in the earliest slot with room among ``locations`` from day
        ``first`` to day ``last`` (the earlier location first on the same day and time), or None
        when none of them has room then. Raises ``SlotsNotRead`` when that cannot be told from the
        slots read so far."""
        best: tuple[date, time, int] | None = None
        chosen = None
        for rank, location in enumerate(locations):
            slot = self._earliest(location, persons, first, last)
            if slot is not None and (best is None or (slot.day, slot.start, rank) < best):
                best, chosen = (slot.day, slot.start, rank), slot
        if chosen is not None:
            chosen.free -= persons
        return chosen

    def _earliest(self, location: LocationCode, persons: int, first: date, last: date) -> FreeSlot | None:
        read = self._read.get(location)
        if read is None:
            raise SlotsNotRead(location)
        while read.slots and read.slots[0].free == 0:  # full slots stay full within a turn
            read.slots.popleft()
        slot = next((slot for slot in read.slots if slot.free >= persons and slot.day >= first), None)
        if slot is not None:
            return slot if slot.day <= last else None
        if read.complete or (read.last is not None and read.last.day > last):
            return None  # every slot up to the window's last day has been read
        raise SlotsNotRead(location)
