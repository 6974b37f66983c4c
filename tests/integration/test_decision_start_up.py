"""``python -m services.decision`` with a roster or tool-keys file it cannot use stops at start-up with
one line naming the setting and the problem, and a non-zero exit: no traceback.

The worker fails before it connects to anything; Kafka and PostgreSQL point at a closed port all the
same, so that a worker which did start could not join the shared consumer group.
"""

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
NOWHERE = {
    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
    "DATABASE_URL": "postgresql://ind:ind@127.0.0.1:1/nowhere",
    "DECISION_WEB_PORT": "1",
}
GOOD_KEY = "k" * 40


async def start_decision(**settings: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.decision",
        cwd=REPO_ROOT,
        env={**os.environ, **NOWHERE, **settings},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail("the decision worker did not stop at start-up")
    return process.returncode, stdout.decode(), stderr.decode()


def _file(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "setting, content, problem",
    [
        ("CASEWORKER_ROSTER", None, "cannot be read (No such file or directory)"),
        ("CASEWORKER_ROSTER", "", "not valid JSON"),
        ("CASEWORKER_ROSTER", "[{not json", "not valid JSON"),
        ("CASEWORKER_ROSTER", b"\xff\xfe[]", "not UTF-8 text"),
        ("CASEWORKER_ROSTER", "[" * 100_000, "nests too deeply"),
        ("CASEWORKER_ROSTER", json.dumps({"cw-001": "caseworker"}), "expected a JSON list of caseworkers"),
        ("CASEWORKER_ROSTER", json.dumps([{"id": "cw-100", "name": "Eva Smits", "role": "director"}]), "unknown role 'director'"),
        ("CASEWORKER_TOOL_KEYS", None, "cannot be read (No such file or directory)"),
        ("CASEWORKER_TOOL_KEYS", "{not json", "not valid JSON"),
        ("CASEWORKER_TOOL_KEYS", "[" * 100_000, "nests too deeply"),
        ("CASEWORKER_TOOL_KEYS", json.dumps({"tool-a": "short"}), "must be a string of at least 32 characters"),
    ],
    ids=[
        "roster-missing",
        "roster-empty",
        "roster-not-json",
        "roster-not-utf8",
        "roster-nested-too-deeply",
        "roster-an-object",
        "roster-unknown-role",
        "tool-keys-missing",
        "tool-keys-not-json",
        "tool-keys-nested-too-deeply",
        "tool-keys-short-key",
    ],
)
async def test_an_unusable_file_stops_the_worker_with_one_line_naming_the_setting_and_the_problem(
    tmp_path, setting, content, problem
):
    path = str(tmp_path / "absent.json") if content is None else _file(tmp_path, "settings.json", content)

    code, stdout, stderr = await start_decision(**{setting: path})

    assert code != 0
    assert "Traceback" not in stdout + stderr
    (line,) = stderr.strip().splitlines()
    assert line.startswith(f"decision cannot start: {setting}: ")
    assert path in line and problem in line
    assert "Eva Smits" not in line  # a roster error names an entry by position and id, never by the person


async def test_a_directory_for_the_roster_stops_the_worker_the_same_way(tmp_path):
    keys = _file(tmp_path, "keys.json", json.dumps({"tool-a": GOOD_KEY}))

    code, _stdout, stderr = await start_decision(CASEWORKER_ROSTER=str(tmp_path), CASEWORKER_TOOL_KEYS=keys)

    assert code != 0
    (line,) = stderr.strip().splitlines()
    assert line == f"decision cannot start: CASEWORKER_ROSTER: roster {tmp_path}: cannot be read (Is a directory)"
