"""Case tracking against real PostgreSQL: the look-up, the HTTP API on a real aiohttp server, the CLI.

Cases are made by the real decision handlers (registration, biometrics, a caseworker's grant) with
a fixed clock in 2041, so a decision worker running in the same session never touches them.
"""

import asyncio
import itertools
import json
import os
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import pytest
from aiohttp import encode_basic_auth
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

import services.decision.app
from harness.caseworker_tool import SIMULATED_TOOL
from ind_runtime.db import migrate
from ind_runtime.guesses import CASE_LOOK_UP, Limits
from ind_runtime.records import ConsumedRecord
from schemas.appointments import BiometricsCompleted
from schemas.cases import CaseRegistered
from schemas.codes import ApplicationType, Language, LocationCode
from schemas.decisions import DecisionAction, DecisionRequested
from schemas.examples import EXAMPLES
from schemas.signing import signed
from schemas.topics import DECISION_COMMANDS
from services.decision import commands, flow, tracking
from services.decision.case_file import track
from services.decision.caseworkers import DEFAULT_ROSTER, Role, load_roster
from services.decision.deadlines import statutory_deadline
from services.decision.policy import DecisionPolicy
from services.decision.settings import DEFAULT_TOOL_KEYS
from services.decision.staff import StaffDirectory, StaffMember
from services.decision.tool_keys import load_tool_keys
from services.decision.unit_of_work import DecisionUnitOfWork

REPO_ROOT = Path(__file__).resolve().parents[2]
PUBLISHER = "decision-under-test"  # not "decision": a running decision worker would relay these rows
ROSTER = load_roster(DEFAULT_ROSTER)
TOOL_KEYS = load_tool_keys(DEFAULT_TOOL_KEYS)
BORN = date(1990, 7, 15)
RECEIVED = date(2041, 3, 4)

REGISTERED = next(e for e in EXAMPLES if isinstance(e, CaseRegistered))
BIOMETRICS = next(e for e in EXAMPLES if isinstance(e, BiometricsCompleted))
COMMAND = next(e for e in EXAMPLES if isinstance(e, DecisionRequested))

_case_numbers = itertools.count(1)
_offsets = itertools.count(1)


def policy_on(day: date) -> DecisionPolicy:
    return DecisionPolicy(
        roster=ROSTER,
        tool_keys=TOOL_KEYS,
        today=lambda: day,
        now=lambda: datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc),
        document_lead_time=timedelta(days=5),
        deadline_warning_days=14,
    )


@pytest.fixture(scope="module", autouse=True)
async def decision_schema(pool):
    await migrate(pool, "decision", services.decision.app.MIGRATIONS)


async def new_case(pool, *, born: date = BORN, granted: bool = False) -> CaseRegistered:
    """A highly skilled migrant's case: registered, biometrics done, optionally granted by cw-001."""
    case_id = uuid4()
    data = REGISTERED.data.model_copy(
        update={
            "case_id": case_id,
            "case_number": f"IND-2041-{next(_case_numbers):07d}",
            "submission_id": f"sub-{case_id}",
            "received_on": RECEIVED,
            "applicant": REGISTERED.data.applicant.model_copy(update={"date_of_birth": born}),
        }
    )
    case = REGISTERED.model_copy(update={"id": f"evt-registered-{case_id}", "subject": data.case_number, "data": data})
    async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
        await flow.cases_registered([case], uow, policy_on(RECEIVED))
    done = BIOMETRICS.data.model_copy(
        update={"case_id": case_id, "case_number": data.case_number, "captured": False, "location": None}
    )
    async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
        completed = BIOMETRICS.model_copy(update={"id": f"evt-biometrics-{case_id}", "data": done})
        assert await flow.desk_stage_reports([completed], uow, policy_on(RECEIVED + timedelta(days=7))) == []
    if granted:
        order = COMMAND.data.model_copy(
            update={
                "case_id": case_id,
                "case_number": data.case_number,
                "caseworker_id": "cw-001",
                "action": DecisionAction.GRANT,
                "reason": "All conditions for the permit are met.",
            }
        )
        command = signed(
            COMMAND.model_copy(update={"id": f"cmd-{case_id}", "data": order}), SIMULATED_TOOL, TOOL_KEYS[SIMULATED_TOOL]
        )
        record = ConsumedRecord(DECISION_COMMANDS.name, 0, next(_offsets), str(case_id).encode(), command.to_json())
        async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
            await commands.screened_commands([(record, command)], uow, policy_on(RECEIVED + timedelta(days=20)))
    return case


# --- the look-up ---------------------------------------------------------------------------------


async def test_track_returns_status_deadline_and_the_ordered_history_for_the_right_pair(pool):
    case = await new_case(pool, granted=True)
    number = case.data.case_number

    async with pool.acquire() as connection:
        found = await track(connection, number, BORN)

    assert found is not None
    assert {k: v for k, v in found.items() if k != "history"} == {
        "case_number": number,
        "application_type": ApplicationType.HIGHLY_SKILLED_MIGRANT.value,
        "status": "document_in_production",
        "outcome": "granted",
        "decision_deadline": statutory_deadline(ApplicationType.HIGHLY_SKILLED_MIGRANT, RECEIVED).isoformat(),
        "language": "en",
        "asked_of_you": None,
        "appointments": [],
    }
    history = found["history"]
    assert [(h["status"], h["set_by"]) for h in history] == [
        ("awaiting_biometrics", "intake"),
        ("awaiting_decision", "decision"),
        ("document_in_production", "cw-001"),
    ]
    assert "04-03-2041" in history[0]["explanation"]
    assert "All conditions for the permit are met." in history[2]["explanation"]
    moments = [datetime.fromisoformat(h["at"]) for h in history]
    assert moments == sorted(moments)
    assert all(m.tzinfo is not None for m in moments)
    assert "date_of_birth" not in json.dumps(found)


async def test_track_words_the_history_in_dutch_when_asked(pool):
    case = await new_case(pool, granted=True)

    async with pool.acquire() as connection:
        dutch = await track(connection, case.data.case_number, BORN, Language.DUTCH)

    assert [h["explanation"] for h in dutch["history"]] == [
        f"Aanvraag ontvangen op 04-03-2041; de beslissing volgt uiterlijk "
        f"{statutory_deadline(ApplicationType.HIGHLY_SKILLED_MIGRANT, RECEIVED):%d-%m-%Y}.",
        "Geen biometrische gegevens nodig aan een IND-balie; de aanvraag wacht op de beslissing van een medewerker.",
        "Aanvraag ingewilligd: All conditions for the permit are met. Uw verblijfsdocument wordt gemaakt.",
    ]


async def test_information_asked_of_the_applicant_is_shown_with_the_day_it_is_due(pool):
    case = await new_case(pool)
    order = COMMAND.data.model_copy(
        update={
            "case_id": case.data.case_id,
            "case_number": case.data.case_number,
            "caseworker_id": "cw-001",
            "action": DecisionAction.REQUEST_INFORMATION,
            "reason": "Send your employment contract.",
        }
    )
    command = signed(
        COMMAND.model_copy(update={"id": f"cmd-{uuid4()}", "data": order}), SIMULATED_TOOL, TOOL_KEYS[SIMULATED_TOOL]
    )
    record = ConsumedRecord(DECISION_COMMANDS.name, 0, next(_offsets), str(case.data.case_id).encode(), command.to_json())
    async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
        await commands.screened_commands([(record, command)], uow, policy_on(RECEIVED + timedelta(days=10)))

    async with pool.acquire() as connection:
        found = await track(connection, case.data.case_number, BORN)

    assert found["status"] == "awaiting_information"
    assert found["asked_of_you"] == {"what": "Send your employment contract.", "by": (RECEIVED + timedelta(days=38)).isoformat()}


async def test_track_reveals_nothing_for_a_wrong_birth_date_or_an_unknown_case_number(pool):
    case = await new_case(pool)
    other = await new_case(pool, born=date(1985, 1, 2))

    async with pool.acquire() as connection:
        assert await track(connection, case.data.case_number, BORN + timedelta(days=1)) is None
        assert await track(connection, case.data.case_number, date(1985, 1, 2)) is None  # another case's birth date
        assert await track(connection, "IND-2041-9999999", BORN) is None
        assert (await track(connection, other.data.case_number, date(1985, 1, 2)))["case_number"] == other.data.case_number


# --- the HTTP API --------------------------------------------------------------------------------


QUEUE_READER = ("queue-reader", "the reader's long password")


def basic(login: str, password: str) -> dict[str, str]:
    return {"Authorization": encode_basic_auth(login, password)}


GUARD_SECRET = b"a secret for the sign-in guard's hashes, in tests"


async def staff_member(pool, staff_id: str, password: str, role: Role, location: LocationCode | None = None) -> None:
    async with pool.acquire() as connection:
        directory = StaffDirectory(connection)
        if await directory.get(staff_id) is None:
            await directory.add(StaffMember(staff_id, staff_id, role, location, 1, False), password)


@pytest.fixture
async def client(pool):
    await staff_member(pool, *QUEUE_READER, Role.CASEWORKER)
    app = tracking.tracking_app(pool, GUARD_SECRET, Limits(per_subject=10_000, per_client=10_000))  # tests guess a lot
    async with TestClient(TestServer(app, host="127.0.0.1"), headers=basic(*QUEUE_READER)) as client:
        yield client


async def test_the_queue_answers_no_one_without_a_caseworkers_user_name_and_password(pool):
    await staff_member(pool, *QUEUE_READER, Role.CASEWORKER)
    await staff_member(pool, "desk-reader", "the desk officer's password", Role.DESK_OFFICER, LocationCode.AMSTERDAM)
    app = tracking.tracking_app(pool, GUARD_SECRET)
    async with TestClient(TestServer(app, host="127.0.0.1")) as anonymous:
        missing = await anonymous.get("/queue")
        wrong = await anonymous.get("/queue", headers=basic(QUEUE_READER[0], "not the password"))
        desk_officer = await anonymous.get("/queue", headers=basic("desk-reader", "the desk officer's password"))
        reader = await anonymous.get("/queue", headers=basic(*QUEUE_READER))

    assert (missing.status, wrong.status, desk_officer.status, reader.status) == (401, 401, 403, 200)
    assert missing.headers["WWW-Authenticate"].startswith("Basic ")


async def test_the_api_answers_the_right_pair_with_the_case_and_its_history(pool, client):
    case = await new_case(pool, granted=True)

    response = await client.post("/cases/status", json={"case_number": case.data.case_number, "date_of_birth": BORN.isoformat()})

    assert response.status == 200
    assert response.content_type == "application/json"
    body = await response.json()
    async with pool.acquire() as connection:
        assert body == await track(connection, case.data.case_number, BORN)
    assert body["status"] == "document_in_production"
    assert [h["status"] for h in body["history"]] == ["awaiting_biometrics", "awaiting_decision", "document_in_production"]


async def test_the_api_answers_a_wrong_birth_date_exactly_as_an_unknown_case(pool, client):
    case = await new_case(pool)

    wrong = await client.post("/cases/status", json={"case_number": case.data.case_number, "date_of_birth": "1990-07-16"})
    unknown = await client.post("/cases/status", json={"case_number": "IND-2041-9999999", "date_of_birth": BORN.isoformat()})

    assert (wrong.status, unknown.status) == (404, 404)
    wrong_body, unknown_body = await wrong.text(), await unknown.text()
    assert wrong_body == unknown_body
    assert case.data.case_number not in wrong_body
    assert json.loads(wrong_body) == tracking.NOT_FOUND


@pytest.mark.parametrize(
    "body, field",
    [
        (b"not json", ""),
        (b"", ""),
        (b"\xff\xfe\x00", ""),
        (b"[]", ""),
        (b"null", ""),
        (b'"IND-2041-0000001"', ""),
        (b"[" * 100_000, ""),
        (b'{"case_number": ' + b"9" * 5_000 + b"}", ""),
        (b'{"case_number": "IND-2041-0000001"}', "date_of_birth"),
        (b'{"date_of_birth": "1990-07-15"}', "case_number"),
        (b'{"case_number": "IND-2041-0000001", "date_of_birth": "15-07-1990"}', "date_of_birth"),
        (b'{"case_number": "IND-2041-0000001", "date_of_birth": "1990-02-30"}', "date_of_birth"),
        (b'{"case_number": "IND-2041-0000001", "date_of_birth": 19900715}', "date_of_birth"),
        (b'{"case_number": "IND-2041-\\u0000001", "date_of_birth": "1990-07-15"}', "case_number"),
        (b'{"case_number": "IND-2041-\\ud800", "date_of_birth": "1990-07-15"}', "case_number"),
        (b'{"case_number": "IND-2041-\\udfff", "date_of_birth": "1990-07-15"}', "case_number"),
        (b'{"case_number": "IND-2041-\xed\xa0\x80", "date_of_birth": "1990-07-15"}', ""),
        (b'{"case_number": "IND-2041-' + b"7" * 200 + b'", "date_of_birth": "1990-07-15"}', "case_number"),
        (b'{"case_number": 20410000001, "date_of_birth": "1990-07-15"}', "case_number"),
        (b'{"case_number": null, "date_of_birth": "1990-07-15"}', "case_number"),
    ],
    ids=[
        "not-json",
        "empty",
        "not-utf8",
        "list",
        "null",
        "string",
        "nested-100000-deep",
        "integer-of-5000-digits",
        "no-birth-date",
        "no-case-number",
        "dutch-date",
        "impossible-date",
        "birth-date-a-number",
        "nul-in-case-number",
        "lone-high-surrogate-in-case-number",
        "lone-low-surrogate-in-case-number",
        "cesu8-surrogate-in-case-number",
        "case-number-of-210-characters",
        "case-number-a-number",
        "case-number-null",
    ],
)
async def test_the_api_answers_a_malformed_request_with_400_the_field_and_how_to_ask(client, body, field):
    response = await client.post("/cases/status", data=body, headers={"Content-Type": "application/json"})

    assert response.status == 400
    answer = await response.json()
    assert answer["field"] == field
    assert answer["reason"] and "case_number and date_of_birth" in answer["error"]
    assert "1990-07-15" not in json.dumps(answer)  # a reason never repeats what was sent


async def test_the_api_reads_the_body_as_utf8_whatever_charset_the_request_claims(pool, client):
    case = await new_case(pool)
    body = json.dumps({"case_number": case.data.case_number, "date_of_birth": BORN.isoformat()}).encode()

    response = await client.post(
        "/cases/status", data=body, headers={"Content-Type": "application/json; charset=no-such-charset"}
    )

    assert response.status == 200
    assert (await response.json())["case_number"] == case.data.case_number


async def test_the_api_lists_the_caseworker_queue_as_json(pool, client):
    waiting = await new_case(pool)
    granted = await new_case(pool, granted=True)

    response = await client.get("/queue", params={"limit": "100000"})

    assert response.status == 200
    queue = await response.json()
    assert isinstance(queue, list)
    numbers = [entry["case_number"] for entry in queue]
    assert waiting.data.case_number in numbers
    assert granted.data.case_number not in numbers
    entry = queue[numbers.index(waiting.data.case_number)]
    assert entry == {
        "case_number": waiting.data.case_number,
        "application_type": ApplicationType.HIGHLY_SKILLED_MIGRANT.value,
        "deadline": statutory_deadline(ApplicationType.HIGHLY_SKILLED_MIGRANT, RECEIVED).isoformat(),
        "recommendation": "grant",
        "findings": [],
    }
    deadlines = [e["deadline"] for e in queue]
    assert deadlines == sorted(deadlines)
    assert len(await (await client.get("/queue", params={"limit": "1"})).json()) == 1
    assert isinstance(await (await client.get("/queue")).json(), list)


@pytest.mark.parametrize(
    "query, reason",
    [
        ("limit=abc", "digits 0-9"),
        ("limit=-1", "digits 0-9"),
        ("limit=%2B5", "digits 0-9"),  # +5
        ("limit=1.5", "digits 0-9"),
        ("limit=%205", "digits 0-9"),  # a space before the 5
        ("limit=0", "from 1 to 100000"),
        ("limit=100001", "from 1 to 100000"),
        ("limit=" + "9" * 5_000, "from 1 to 100000"),
        ("limit=", "is empty"),
        ("limit", "is empty"),
        ("limit=%C2%B2", "digits 0-9"),  # '²': isdigit() says yes, int() says no
        ("limit=%D9%A1%D9%A2", "digits 0-9"),  # Arabic-Indic 12: int() reads it, the API does not
        ("limit=%EF%BC%95", "digits 0-9"),  # a fullwidth 5
        ("limit=%00", "digits 0-9"),
        ("limit=5%00", "digits 0-9"),
        ("limit=%ED%A0%80", "digits 0-9"),  # a lone surrogate, as UTF-8 would spell it
        ("limit=%FF", "digits 0-9"),
    ],
)
async def test_the_api_answers_a_malformed_queue_limit_with_400_naming_it_and_why(client, query, reason):
    response = await client.get(URL(f"/queue?{query}", encoded=True))

    assert response.status == 400
    answer = await response.json()
    assert answer["field"] == "limit"
    assert reason in answer["reason"] and answer["error"].startswith("limit: ")


async def test_the_api_reads_a_queue_limit_with_leading_zeros_as_the_number(pool, client):
    await new_case(pool)

    response = await client.get("/queue", params={"limit": "0000000000001"})

    assert response.status == 200
    assert len(await response.json()) == 1


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/queue%00", 404),
        ("GET", "/queue%ED%A0%80", 404),
        ("GET", "/queue/%C2%B2", 404),
        ("POST", "/cases/status%00", 404),
        ("POST", "/cases/%ED%A0%80/status", 404),
        ("GET", "/cases/status", 405),
    ],
)
async def test_the_api_answers_an_odd_path_as_one_it_does_not_serve(client, method, path, status):
    response = await client.request(method, URL(path, encoded=True), data=b"{}")

    assert response.status == status


# --- the CLI -------------------------------------------------------------------------------------


async def run_cli(database_url: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.decision.cli",
        *args,
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, stdout.decode(), stderr.decode()


async def test_the_cli_prints_the_case_as_json_for_the_right_pair(pool, database_url):
    case = await new_case(pool, granted=True)

    code, stdout, stderr = await run_cli(
        database_url, "track", case.data.case_number, "--date-of-birth", BORN.isoformat(), "--json"
    )

    assert code == 0, stderr
    async with pool.acquire() as connection:
        assert json.loads(stdout) == await track(connection, case.data.case_number, BORN)


async def test_the_cli_exits_1_and_prints_no_case_data_for_a_wrong_birth_date(pool, database_url):
    case = await new_case(pool, granted=True)

    code, stdout, stderr = await run_cli(database_url, "track", case.data.case_number, "--date-of-birth", "1990-07-16", "--json")

    assert code == 1
    output = stdout + stderr
    assert "No case matches" in output
    for secret in (case.data.case_number, "document_in_production", "granted", "All conditions", "{"):
        assert secret not in output


async def test_the_api_answers_in_dutch_when_asked_and_refuses_a_language_it_does_not_speak(pool, client):
    case = await new_case(pool)
    asked = {"case_number": case.data.case_number, "date_of_birth": BORN.isoformat()}

    dutch = await client.post("/cases/status", json={**asked, "language": "nl"})
    german = await client.post("/cases/status", json={**asked, "language": "de"})

    assert dutch.status == 200 and (await dutch.json())["history"][0]["explanation"].startswith("Aanvraag ontvangen op")
    assert german.status == 400 and (await german.json())["field"] == "language"


async def test_wrong_pairs_lock_look_ups_of_a_case_number_whether_or_not_it_exists(pool):
    case = await new_case(pool)
    app = tracking.tracking_app(pool, GUARD_SECRET + b"-locking")
    answers = {}
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for number in (case.data.case_number, "IND-2041-9999998"):
            for _ in range(CASE_LOOK_UP.per_subject):
                wrong = await client.post("/cases/status", json={"case_number": number, "date_of_birth": "1970-01-01"})
                assert wrong.status == 404
            right = await client.post("/cases/status", json={"case_number": number, "date_of_birth": BORN.isoformat()})
            answers[number] = (right.status, await right.json(), int(right.headers["Retry-After"]) > 60 * 14)

    locked = list(answers.values())
    assert locked[0] == locked[1]
    assert locked[0][0] == 429 and "too many tries" in locked[0][1]["error"]


async def test_a_client_guessing_at_many_case_numbers_is_locked_out(pool):
    app = tracking.tracking_app(pool, GUARD_SECRET + b"-client", Limits(per_subject=5, per_client=3))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        statuses = [
            (
                await client.post("/cases/status", json={"case_number": f"IND-2041-99{n:05d}", "date_of_birth": "1970-01-01"})
            ).status
            for n in range(5)
        ]

    assert statuses == [404, 404, 404, 429, 429]


async def test_a_burst_of_simultaneous_guesses_gets_no_more_tries_than_the_limit(pool):
    """Each try is counted before its look-up: thirty at once for one case number get five answers
    and twenty-five refusals, not thirty answers."""
    case = await new_case(pool)
    app = tracking.tracking_app(pool, GUARD_SECRET + b"-burst", Limits(per_subject=5, per_client=1_000))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:

        async def guess(n: int) -> int:
            asked = {"case_number": case.data.case_number, "date_of_birth": f"1901-01-{n + 1:02d}"}
            return (await client.post("/cases/status", json=asked)).status

        statuses = await asyncio.gather(*(guess(n) for n in range(28)))

    assert sorted(statuses) == [404] * 5 + [429] * 23
