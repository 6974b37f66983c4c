"""A local SMTP server that keeps every message in an mbox file, for the demo.

python -m ind_runtime.smtp_sink --port 8025 --mbox .state/smtp/mailbox.mbox
"""

import argparse
import mailbox
import signal
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller


class MboxHandler:
    def __init__(self, path: Path) -> None:
        self.path = path

    async def handle_DATA(self, server, session, envelope) -> str:
        box = mailbox.mbox(self.path)
        try:
            box.lock()
            box.add(message_from_bytes(envelope.content, policy=policy.default))
            box.flush()
        finally:
            box.unlock()
            box.close()
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--mbox", type=Path, required=True)
    args = parser.parse_args()
    args.mbox.parent.mkdir(parents=True, exist_ok=True)
    controller = Controller(MboxHandler(args.mbox), hostname=args.host, port=args.port)
    controller.start()
    print(f"smtp sink on {args.host}:{args.port}, writing {args.mbox}", flush=True)
    try:
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
    finally:
        controller.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
