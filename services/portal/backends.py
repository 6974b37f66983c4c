"""The services the portal asks, over HTTP, on behalf of a visitor whose address it forwards."""

import json as json_text
from dataclasses import dataclass
from typing import Any

import aiohttp

from ind_runtime.client_address import PROXY_TOKEN_HEADER

TIMEOUT = aiohttp.ClientTimeout(total=10)


class Unavailable(Exception):
    """The service did not answer (down, slow, or a 5xx); the visitor is told to try again later."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    retry_after: int | None = None


@dataclass(frozen=True)
class Backend:
    base_url: str
    proxy_token: str | None
    session: aiohttp.ClientSession

    async def call(self, method: str, path: str, visitor: str, json: Any = None, params: dict | None = None) -> Answer:
        headers = {"Accept": "application/json", "X-Forwarded-For": visitor}
        if self.proxy_token:
            headers[PROXY_TOKEN_HEADER] = self.proxy_token
        try:
            async with self.session.request(
                method, self.base_url + path, json=json, params=params, headers=headers, timeout=TIMEOUT
            ) as response:
                if response.status >= 500:
                    raise Unavailable(f"{path} answered {response.status}")
                text = await response.text()
                retry = response.headers.get("Retry-After")
                return Answer(response.status, _json(text), int(retry) if retry and retry.isdigit() else None)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Unavailable(f"{path}: {type(error).__name__}") from None


def _json(text: str) -> Any:
    """The body as JSON; the IND dialect puts a guard line before it, which is dropped."""
    if text.startswith(")]}'"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    try:
        return json_text.loads(text) if text else None
    except ValueError:
        return None
