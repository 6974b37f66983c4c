"""A desk's day, as biometrics (which owns the desk agenda) answers it over HTTP."""

from dataclasses import dataclass
from datetime import date

import aiohttp


class DeskDayUnavailable(Exception):
    """Biometrics did not answer with the day; the message says why, for the desk officer."""


@dataclass(frozen=True)
class DeskDayClient:
    base_url: str
    token: str | None
    session: aiohttp.ClientSession

    async def day(self, location: str, day: date) -> dict:
        if self.token is None:
            raise DeskDayUnavailable("the desk's day is not configured here (DESK_DAY_TOKEN)")
        try:
            async with self.session.get(
                f"{self.base_url}/desks/{location}/day",
                params={"date": day.isoformat()},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=aiohttp.ClientTimeout(total=5),
            ) as response:
                if response.status != 200:
                    raise DeskDayUnavailable(f"the desk agenda answered {response.status}")
                return await response.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeskDayUnavailable(f"the desk agenda cannot be reached ({type(error).__name__})") from None
