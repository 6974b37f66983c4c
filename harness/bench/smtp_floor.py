"""A fourth baseline: plain aiosmtplib sending ready-made messages to the sink the pipeline's emails
reach, to show what SMTP alone allows notify on this machine.

The sink is the harness's recording server, in the harness process as in every run; the client is
a process of its own, as notify is, with as many sessions side by side as a mail dispatcher has
(``SMTP_SESSIONS``), each message its own MAIL, RCPT and DATA exchange. The messages are built
before the clock starts and are the size of the emails notify sent alone, so what is measured is
the exchange and the sink, without the MIME building, the queue or Kafka notify also has.

    python -m harness.bench.smtp_floor PORT MESSAGES BYTES SESSIONS   (prints the figures as JSON)
"""

import asyncio
import json
import subprocess
import sys
import time

import aiosmtplib

from harness.processes import ROOT
from harness.smtp import RecordingSmtpServer
from services.notify.settings import NotifySettings

SENDER = "noreply@ind.example"


def smtp_floor(message_bytes: int, messages: int = 4000, sessions: int | None = None, timeout: float = 300.0) -> dict:
    sessions = sessions or NotifySettings.model_fields["smtp_sessions"].default
    server = RecordingSmtpServer().start()
    try:
        command = [
            sys.executable,
            "-m",
            "harness.bench.smtp_floor",
            str(server.port),
            str(messages),
            str(message_bytes),
            str(sessions),
        ]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"the SMTP baseline client failed:\n{result.stderr[-2000:]}")
        figures = json.loads(result.stdout)
        received = server.delivered_to({f"applicant-{i}@example.org" for i in range(messages)})
    finally:
        server.stop()
    if received != messages:
        raise RuntimeError(f"the SMTP baseline sink received {received} of {messages} messages")
    return figures


def message(number: int, size: int) -> bytes:
    """A plain-text message of about ``size`` bytes, addressed to its own applicant."""
    head = (
        f"From: IND <{SENDER}>\r\nTo: applicant-{number}@example.org\r\n"
        f"Subject: We received your application\r\nMessage-ID: <bench.{number}@notify.ind.example>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n'
    ).encode()
    line = b"Your application has been received and will be handled by the IND.....\r\n"  # 72 bytes
    return head + line * max(1, (size - len(head)) // len(line))


async def _send(port: int, messages: int, size: int, sessions: int) -> dict:
    wire = [message(i, size) for i in range(messages)]
    numbers = iter(range(messages))  # shared: each session takes the next message, as senders do

    async def session() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
        await client.connect()
        for number in numbers:
            await client.sendmail(SENDER, [f"applicant-{number}@example.org"], wire[number])
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(session() for _ in range(sessions)))
    seconds = time.perf_counter() - started
    return {
        "messages": messages,
        "sessions": sessions,
        "mean_bytes": sum(map(len, wire)) / messages,
        "seconds": seconds,
        "messages_per_s": messages / seconds,
    }


if __name__ == "__main__":
    port, count, size, sessions = (int(a) for a in sys.argv[1:5])
    print(json.dumps(asyncio.run(_send(port, count, size, sessions))))
