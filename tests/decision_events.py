"""Events about the decision service's cases as the systems around it send them, for its unit and
integration tests alike: each the schema's example (``schemas/examples.py``) with a fresh id and the
case's id and number, and commands signed as the simulated caseworker tool signs them."""

import itertools
from uuid import uuid4

from harness.caseworker_tool import SIMULATED_TOOL
from ind_runtime.records import ConsumedRecord
from schemas.cases import CaseRegistered
from schemas.decisions import DecisionAction, DecisionRequested
from schemas.examples import EXAMPLES
from schemas.signing import signed
from schemas.topics import DECISION_COMMANDS
from services.decision.settings import DEFAULT_TOOL_KEYS
from services.decision.tool_keys import load_tool_keys

TOOL_KEYS = load_tool_keys(DEFAULT_TOOL_KEYS)

_offsets = itertools.count(1)  # one count for every test of a session: a record's position is an id


def about(example_type, case: CaseRegistered, **data):
    """An event of ``example_type`` about ``case``: the schema's example but for its id and ``data``."""
    example = next(e for e in EXAMPLES if isinstance(e, example_type))
    fields = {"case_id": case.data.case_id, "case_number": case.data.case_number, **data}
    return example.model_copy(update={"id": f"evt-{uuid4()}", "data": example.data.model_copy(update=fields)})


def command_for(
    case: CaseRegistered, caseworker_id: str, action: DecisionAction, reason: str = "All conditions for the permit are met."
) -> DecisionRequested:
    """A command as the simulated caseworker tool sends it: signed with its development key."""
    command = about(DecisionRequested, case, caseworker_id=caseworker_id, action=action, reason=reason)
    command = command.model_copy(update={"id": f"cmd-{uuid4()}", "subject": case.data.case_number})
    return signed(command, SIMULATED_TOOL, TOOL_KEYS[SIMULATED_TOOL])


def record_of(command: DecisionRequested) -> ConsumedRecord:
    """The command as read from the next offset of its topic."""
    return ConsumedRecord(
        topic=DECISION_COMMANDS.name,
        partition=0,
        offset=next(_offsets),
        key=str(command.data.case_id).encode(),
        value=command.to_json(),
    )
