"""How a caseworker tool signs its commands, so the decision service can verify who sent them.

Each tool holds a secret key shared with the IND. It signs the command's id, source, type, time and
its ``data`` (as canonical JSON: sorted keys, no spaces, UTF-8, fields that are null left out) with
HMAC-SHA256, and sends the tool id and the hex digest as the CloudEvents extension attributes ``toolid``
and ``signature``. Leaving null fields out keeps a tool written before an optional field was added
(``claim_id``) signing exactly what the service checks.
"""

import hashlib
import hmac
import json

from schemas.decisions import DecisionRequested


def signing_input(command: DecisionRequested) -> bytes:
    data = json.dumps(
        command.data.model_dump(mode="json", exclude_none=True), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    time = command.time.isoformat().replace("+00:00", "Z")
    return "\n".join((command.id, command.source, command.type, time, data)).encode()


def signature(command: DecisionRequested, key: bytes) -> str:
    return hmac.new(key, signing_input(command), hashlib.sha256).hexdigest()


def signed(command: DecisionRequested, tool_id: str, key: bytes) -> DecisionRequested:
    """The command with its ``toolid`` and ``signature`` set."""
    return command.model_copy(update={"toolid": tool_id, "signature": signature(command, key)})


def verify(command: DecisionRequested, keys: dict[str, bytes]) -> bool:
    key = keys.get(command.toolid or "")
    return key is not None and command.signature is not None and hmac.compare_digest(signature(command, key), command.signature)
