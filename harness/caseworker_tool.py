"""The simulated caseworker tool: who it is and how it signs its commands (``schemas/signing.py``).

Its key is read from the same keys file the decision service reads (``CASEWORKER_TOOL_KEYS``,
by default ``services/decision/tool_keys.json``, which holds a development key for this tool),
found through decision's own settings so that the two can never read different files.
"""

import json
from functools import cache

from schemas.decisions import DecisionRequested
from schemas.signing import signed
from services.decision.settings import DecisionSettings

SIMULATED_TOOL = "caseworker-tool-simulated"


@cache
def simulated_tool_key() -> bytes:
    keys_file = DecisionSettings().caseworker_tool_keys
    key = json.loads(keys_file.read_text(encoding="utf-8")).get(SIMULATED_TOOL)
    if not isinstance(key, str):
        raise ValueError(f"tool keys {keys_file}: no key for {SIMULATED_TOOL!r}")
    return key.encode()


def signed_by_simulated_tool(command: DecisionRequested) -> DecisionRequested:
    return signed(command, SIMULATED_TOOL, simulated_tool_key())
