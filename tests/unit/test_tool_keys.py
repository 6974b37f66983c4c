"""The caseworker tools' keys load from JSON and refuse a bad file clearly without ever showing a key;
a command is authenticated only when a registered tool signed exactly that command."""

import json
from pathlib import Path

import pytest

from schemas.decision_outcomes import RejectionCode
from schemas.decisions import DecisionAction, DecisionRequested
from schemas.examples import EXAMPLE_TOOL, EXAMPLE_TOOL_KEY, EXAMPLES
from schemas.signing import signed
from services.decision.settings import DEFAULT_TOOL_KEYS
from services.decision.tool_keys import MIN_KEY_LENGTH, authenticate, load_tool_keys

COMMAND = next(e for e in EXAMPLES if isinstance(e, DecisionRequested))
KEYS = {EXAMPLE_TOOL: EXAMPLE_TOOL_KEY}
A_KEY = "k" * MIN_KEY_LENGTH


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tool_keys.json"
    path.write_text(text)
    return path


def test_the_default_file_holds_only_development_keys_of_the_simulated_tool_and_the_console():
    keys = load_tool_keys(DEFAULT_TOOL_KEYS)
    assert list(keys) == ["caseworker-tool-simulated", "console"]
    assert all(key.startswith(b"DEVELOPMENT-ONLY") for key in keys.values())


def test_each_tool_id_maps_to_its_key_as_bytes(tmp_path):
    path = _write(tmp_path, json.dumps({"tool-a": A_KEY, "tool-b": "b" * 40}))
    assert load_tool_keys(path) == {"tool-a": A_KEY.encode(), "tool-b": b"b" * 40}


@pytest.mark.parametrize(
    "text, problem",
    [
        ("{not json", "not valid JSON"),
        ("[" * 100_000, "nests too deeply"),
        (json.dumps(["tool-a", A_KEY]), "expected a JSON object"),
        ("{}", "at least one tool"),
        (json.dumps({" ": A_KEY}), "a tool id is empty"),
        (json.dumps({"tool-a": "short-secret"}), f"key of tool 'tool-a' must be a string of at least {MIN_KEY_LENGTH}"),
        (json.dumps({"tool-a": 12345678901234567890123456789012345}), "key of tool 'tool-a' must be a string"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file_and_never_the_key(tmp_path, text, problem):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=problem) as error:
        load_tool_keys(path)
    assert str(path) in str(error.value)
    assert "short-secret" not in str(error.value) and A_KEY not in str(error.value)


def test_a_missing_file_is_refused_naming_it(tmp_path):
    with pytest.raises(ValueError, match="cannot be read") as error:
        load_tool_keys(tmp_path / "absent.json")
    assert "absent.json" in str(error.value)


def test_a_command_signed_by_a_registered_tool_is_authenticated():
    assert authenticate(COMMAND, KEYS) is None


@pytest.mark.parametrize(
    "command, problem",
    [
        (COMMAND.model_copy(update={"toolid": None, "signature": None}), "not signed"),
        (COMMAND.model_copy(update={"signature": None}), "not signed"),
        (signed(COMMAND, "caseworker-tool-rogue", EXAMPLE_TOOL_KEY), "'caseworker-tool-rogue', which is not a registered"),
        (
            COMMAND.model_copy(update={"data": COMMAND.data.model_copy(update={"action": DecisionAction.REFUSE})}),
            "does not match",
        ),
        (COMMAND.model_copy(update={"id": "cmd-other"}), "does not match"),
        (signed(COMMAND, EXAMPLE_TOOL, b"another-key-for-the-same-tool-000000"), "does not match"),
    ],
    ids=["unsigned", "no signature", "unknown tool", "other data", "other id", "other key"],
)
def test_a_command_that_a_registered_tool_did_not_sign_is_refused_as_unauthenticated(command, problem):
    refusal = authenticate(command, KEYS)
    assert refusal is not None and refusal.code is RejectionCode.UNAUTHENTICATED
    assert problem in refusal.reason
