"""The running pipeline: every service as a real worker process, on a database of its own, on
topics recreated for it (so nothing that earlier tests produced reaches it) and the session's SMTP
server. ``pool`` here is a pool on the pipeline's database."""

import json
from pathlib import Path

import pytest

from harness.processes import ServiceProcess
from harness.smtp import free_port
from ind_runtime.admin import ensure_topics
from tests.conftest import fresh_database, migrated_pool

SERVICES = ("intake", "biometrics", "decision", "notify")
READY = "worker resources ready"
DESK_DAY_TOKEN = "e2e-desk-day-token-" + "x" * 32
PORTAL_PROXY_TOKEN = "e2e-portal-proxy-token-" + "y" * 32
MANAGE_LINK_KEY = "e2e-manage-link-key-" + "z" * 32
ONE_INFORMATION_SEAT_A_DAY = {"ZW": {"INF": {"slot_minutes": 480, "desks": 1}}}
"""Zwolle's information appointments as one seat a day, so that a browser test can fill a day and
see it free up again (the other tests book no INF there)."""


@pytest.fixture(scope="session")
def worker_logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("worker-logs")


@pytest.fixture(scope="session")
def web_ports() -> dict[str, int]:
    return {service: free_port() for service in SERVICES}


@pytest.fixture(scope="session")
def portal_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
async def pipeline_database_url() -> str:
    async with fresh_database("e2e") as url:
        yield url


@pytest.fixture(scope="session")
async def pool(pipeline_database_url):
    async with migrated_pool(pipeline_database_url) as pool:
        yield pool


@pytest.fixture(scope="session")
async def pipeline(topics, pipeline_database_url, smtp_server, worker_logs, web_ports, portal_port):
    await ensure_topics(topics, recreate=True)
    capacity_file = worker_logs / "desk-capacity.json"
    capacity_file.write_text(json.dumps(ONE_INFORMATION_SEAT_A_DAY))
    env = {
        "TIMER_INTERVAL_S": "0.5",
        "HANDLER_NOT_READY_MAX_S": "15",
        "DOCUMENT_LEAD_TIME_S": "0.5",
        **{f"{service.upper()}_WEB_PORT": str(port) for service, port in web_ports.items()},
        "KAFKA_BOOTSTRAP_SERVERS": ",".join(topics),
        "DATABASE_URL": pipeline_database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "HANDLER_BACKOFF_S": "0.05",
        "LOG_LEVEL": "debug",  # the per-event lines too, which the personal-data test reads
        "DESK_DAY_TOKEN": DESK_DAY_TOKEN,  # biometrics answers the console's desk day with it
        "DESK_DAY_URL": f"http://127.0.0.1:{web_ports['biometrics']}",
        "PORTAL_PROXY_TOKEN": PORTAL_PROXY_TOKEN,  # the portal vouches for its visitors' addresses with it
        "PORTAL_WEB_PORT": str(portal_port),
        "DECISION_URL": f"http://127.0.0.1:{web_ports['decision']}",
        "BIOMETRICS_URL": f"http://127.0.0.1:{web_ports['biometrics']}",
        "MANAGE_LINK_KEY": MANAGE_LINK_KEY,  # biometrics makes manage tokens with it, notify writes them into links
        "MANAGE_URL": f"http://127.0.0.1:{portal_port}/{{language}}/manage",
        "PORTAL_URL": f"http://127.0.0.1:{portal_port}",
        "ALERT_INTERVAL_S": "1",
        "DESK_CAPACITY_FILE": str(capacity_file),
    }
    workers = [ServiceProcess(service, worker_logs, env).start() for service in (*SERVICES, "portal")]
    for worker in workers:
        worker.wait_for_log(READY)
    yield workers
    for worker in workers:
        worker.stop()
