"""Which caseworker tools may send commands, and whether a command really comes from one of them.

Each tool shares a secret key with the IND and signs its commands with it (``schemas/signing.py``).
The keys are a JSON file, ``{"tool id": "key"}``, so that a deployment mounts its own secret file
(``CASEWORKER_TOOL_KEYS``) without a code change or a migration. The file in the repository holds
only a development key for the simulated tool. Errors name the file and the tool, never a key.
"""

import json
from pathlib import Path

from schemas.decision_outcomes import RejectionCode
from schemas.decisions import DecisionRequested
from schemas.signing import verify
from services.decision.case import Refusal

MIN_KEY_LENGTH = 32
"""Characters; an HMAC-SHA256 key shorter than its 32-byte output is guessable sooner."""


def load_tool_keys(path: Path) -> dict[str, bytes]:
    """Every tool's key, by tool id; an unreadable or malformed file fails loudly at start-up."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"tool keys {path}: cannot be read ({error.strerror})") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"tool keys {path}: not valid JSON") from error
    except RecursionError as error:
        raise ValueError(f"tool keys {path}: nests too deeply to be tool keys") from error
    if not isinstance(entries, dict) or not entries:
        raise ValueError(f"tool keys {path}: expected a JSON object of tool id to key, with at least one tool")
    keys: dict[str, bytes] = {}
    for tool_id, key in entries.items():
        if not tool_id.strip():
            raise ValueError(f"tool keys {path}: a tool id is empty")
        if not isinstance(key, str) or len(key) < MIN_KEY_LENGTH:
            raise ValueError(
                f"tool keys {path}: the key of tool {tool_id!r} must be a string of at least {MIN_KEY_LENGTH} characters"
            )
        keys[tool_id] = key.encode()
    return keys


def authenticate(command: DecisionRequested, keys: dict[str, bytes]) -> Refusal | None:
    """None when a registered tool signed exactly this command; otherwise why it cannot be trusted."""
    if not command.toolid or not command.signature:
        return Refusal(
            RejectionCode.UNAUTHENTICATED, "the command is not signed; a caseworker tool must sign every command it sends"
        )
    if command.toolid not in keys:
        return Refusal(
            RejectionCode.UNAUTHENTICATED,
            f"the command is signed by {command.toolid!r}, which is not a registered caseworker tool",
        )
    if not verify(command, keys):
        return Refusal(
            RejectionCode.UNAUTHENTICATED,
            "the signature does not match the command, so it may have been altered or signed with another key",
        )
    return None
