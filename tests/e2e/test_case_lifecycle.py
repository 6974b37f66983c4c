"""Two hundred applications of every type, at both kinds of location, through every stage, with
simulated desks (no-shows included), caseworkers (grants, four-eyes refusals, information requests)
and applicants; every case is checked for its final state, status history, deadline and emails."""

import asyncio
import json
import random
from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from icalendar import Calendar

from harness.applications import encode
from harness.scenarios import Scenario, expected, sample_plan
from harness.simulators import SimulatedWorld
from schemas.codes import ApplicationType
from schemas.topics import CATALOGUE, SUBMISSIONS
from services.decision.deadlines import statutory_deadline
from tests.conftest import eventually

APPLICATIONS = 210
NETHERLANDS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(scope="module")
async def lifecycle(pipeline, producer, pool, topics):
    plan = sample_plan(APPLICATIONS, random.Random(2026))
    world = SimulatedWorld(topics, {d["id"]: s for d, s in plan})
    running = asyncio.create_task(world.run())
    for document, _ in plan:
        await producer.send(SUBMISSIONS.name, encode(document), key=document["id"].encode())
    await producer.flush()
    ids = [d["id"] for d, _ in plan]

    async def all_closed():
        closed = await pool.fetchval(
            """select count(*) from decision.cases d join intake.cases i using (case_id)
               where i.submission_id = any($1::text[]) and d.status = 'closed'""",
            ids,
        )
        return closed == len(ids)

    try:
        await eventually(all_closed, timeout=300, interval=1.0, message=f"all {len(ids)} cases to close")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    return plan


async def _cases(pool, plan):
    rows = await pool.fetch(
        """select i.submission_id, i.received_on as intake_received_on, d.*
           from intake.cases i join decision.cases d using (case_id) where i.submission_id = any($1::text[])""",
        [d["id"] for d, _ in plan],
    )
    return {r["submission_id"]: r for r in rows}


async def test_every_application_ends_closed_with_the_outcome_its_scenario_calls_for(lifecycle, pool):
    cases = await _cases(pool, lifecycle)
    assert len(cases) == APPLICATIONS
    wrong = {
        d["id"]: (cases[d["id"]]["status"], cases[d["id"]]["outcome"], s.value)
        for d, s in lifecycle
        if (cases[d["id"]]["status"], cases[d["id"]]["outcome"])
        != ("closed", expected(s, ApplicationType(d["data"]["application_type"])).outcome)
    }
    assert wrong == {}


async def test_the_run_covers_every_type_both_kinds_of_location_and_every_scenario(lifecycle):
    assert {d["data"]["application_type"] for d, _ in lifecycle} == {t.value for t in ApplicationType}
    locations = {d["data"]["preferred_location"] for d, _ in lifecycle}
    assert any(loc.startswith("XC-") for loc in locations) and {"AM", "DB", "DH", "ZW"} <= locations
    assert {s for _, s in lifecycle} == set(Scenario)


async def test_every_case_has_the_status_history_of_its_path(lifecycle, pool):
    cases = await _cases(pool, lifecycle)
    history = defaultdict(list)
    for row in await pool.fetch(
        "select case_id, status, set_by, explanation from decision.status_history where case_id = any($1::uuid[]) order by id",
        [c["case_id"] for c in cases.values()],
    ):
        history[row["case_id"]].append(row)
    mismatches = {}
    for document, scenario in lifecycle:
        case = cases[document["id"]]
        path = [
            s
            for i, s in enumerate(r["status"] for r in history[case["case_id"]])
            if i == 0 or s != history[case["case_id"]][i - 1]["status"]
        ]
        want = expected(scenario, ApplicationType(document["data"]["application_type"])).statuses
        if tuple(path) != want:
            mismatches[case["case_number"]] = (scenario.value, path, want)
        assert all(r["set_by"] and r["explanation"] for r in history[case["case_id"]])
    assert mismatches == {}


async def test_every_deadline_is_the_statutory_period_from_the_day_received(lifecycle, pool):
    cases = await _cases(pool, lifecycle)
    for document, scenario in lifecycle:
        case = cases[document["id"]]
        received = datetime.fromisoformat(document["time"]).astimezone(NETHERLANDS).date()
        assert case["received_on"] == received
        kind = ApplicationType(document["data"]["application_type"])
        assert case["deadline"] == statutory_deadline(kind, received, case["suspended_days"])
        assert (case["exceeded_on"] is not None) == (scenario == Scenario.LATE)


async def test_every_applicant_received_exactly_the_emails_their_case_called_for(lifecycle, pool, smtp_server):
    want = {
        d["data"]["applicant"]["email"]: expected(s, ApplicationType(d["data"]["application_type"])).emails for d, s in lifecycle
    }

    def received():
        got = defaultdict(Counter)
        for message in smtp_server.messages:
            if message["To"] in want:
                got[message["To"]][message["X-IND-Email-Kind"]] += 1
        return got

    async def complete():
        return sum(sum(c.values()) for c in received().values()) >= sum(sum(c.values()) for c in want.values())

    await eventually(complete, timeout=60, message="every expected email")
    await asyncio.sleep(1.0)  # anything extra would arrive now
    got = received()
    assert {to: got[to] for to in want if got[to] != want[to]} == {}
    cases = await _cases(pool, lifecycle)
    numbers = {d["data"]["applicant"]["email"]: cases[d["id"]]["case_number"] for d, _ in lifecycle}
    for message in smtp_server.messages:
        if message["To"] in numbers:
            assert numbers[message["To"]] in message["Subject"]


async def test_appointment_emails_carry_an_icalendar_file(lifecycle, smtp_server):
    emails = {d["data"]["applicant"]["email"] for d, _ in lifecycle}
    appointments = [m for m in smtp_server.messages if m["To"] in emails and m["X-IND-Email-Kind"] == "biometrics_appointment"]
    assert appointments
    for message in appointments:
        (ics,) = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
        (event,) = Calendar.from_ical(ics.get_content()).walk("VEVENT")
        assert str(event["UID"]).startswith("BIO-")
        assert event["DTSTART"].dt < event["DTEND"].dt


async def test_an_applicant_tracks_a_case_over_http_and_a_wrong_birth_date_shows_nothing(lifecycle, pool, web_ports):
    document, _ = lifecycle[0]
    cases = await _cases(pool, lifecycle)
    number = cases[document["id"]]["case_number"]
    url = f"http://127.0.0.1:{web_ports['decision']}/cases/status"
    async with aiohttp.ClientSession() as http:
        async with http.post(
            url, json={"case_number": number, "date_of_birth": document["data"]["applicant"]["date_of_birth"]}
        ) as found:
            assert found.status == 200
            body = await found.json()
        async with http.post(url, json={"case_number": number, "date_of_birth": "1900-01-01"}) as wrong:
            assert wrong.status == 404
            assert number not in await wrong.text()
    assert body["status"] == "closed"
    assert body["history"][0]["status"] == "awaiting_biometrics"
    assert "passport" not in json.dumps(body) and document["data"]["applicant"]["email"] not in json.dumps(body)


async def test_every_worker_answers_its_health_check_with_the_partitions_it_consumes(pipeline, web_ports):
    async with aiohttp.ClientSession() as http:
        for service, port in web_ports.items():
            async with http.get(f"http://127.0.0.1:{port}/health") as response:
                assert response.status == 200
                consumed = sum(t.partitions for t in CATALOGUE if service in t.consumers)  # the only worker: all of them
                health = {"service": service, "database": "ok", "partitions": consumed, "kept_records": 0}
                assert await response.json() == health


async def test_free_slots_are_searched_by_location_product_and_persons(pipeline, web_ports):
    url = f"http://127.0.0.1:{web_ports['biometrics']}/desks/AM/slots"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, params={"product": "BIO", "persons": "3", "limit": "5"}) as response:
            assert response.status == 200
            body = await response.json()
        async with http.get(url, params={"product": "XYZ"}) as bad:
            assert bad.status == 400
    assert body["name"] == "IND desk Amsterdam" and len(body["slots"]) == 5
    first = body["slots"][0]
    assert first["key"].startswith("BIO-AM-") and first["parts"] >= 3 and first["startTime"] < first["endTime"]
    assert [s["date"] + s["startTime"] for s in body["slots"]] == sorted(s["date"] + s["startTime"] for s in body["slots"])
