"""An in-process SMTP server that keeps every message and can be made to fail on purpose.

Tests and the chaos runs read what applicants received from ``messages``; ``refusing`` makes it
answer 421 (an overloaded server), ``stop()`` makes connections fail outright, ``delay_s`` makes it
slow to accept each message.
"""

import asyncio
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingSmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._raw: list[bytes] = []
        self._parsed: list[EmailMessage] = []
        self.recipient_of: dict[str, str] = {}  # Message-ID -> To, kept as messages arrive: cheap progress checks
        self.refusing = False
        self.delay_s = 0.0
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refusing:
            return "421 Service not available, try again later"
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        # Only the headers now; the full parse waits until someone reads the messages, so that a
        # benchmark's sink does not take CPU from the pipeline it measures.
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(envelope.content)
        with self._lock:
            self._raw.append(envelope.content)
            self.recipient_of[str(headers["Message-ID"])] = str(headers["To"])
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            for raw in self._raw[len(self._parsed) :]:
                self._parsed.append(message_from_bytes(raw, policy=policy.default))
            return list(self._parsed)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def delivered_to(self, recipients: set[str]) -> int:
        """How many distinct Message-IDs reached any of ``recipients``."""
        with self._lock:
            return sum(1 for to in self.recipient_of.values() if to in recipients)

    def mean_bytes(self) -> float | None:
        """The mean size of the messages received, as they came over the wire."""
        with self._lock:
            return sum(map(len, self._raw)) / len(self._raw) if self._raw else None

    def received(self) -> list[EmailMessage]:
        return self.messages

    def start(self) -> "RecordingSmtpServer":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
