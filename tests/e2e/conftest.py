"""The running pipeline: every service as a real worker process, on a database of its own, on
topics recreated for it (so nothing that earlier tests produced reaches it) and the session's SMTP
server. ``pool`` here is a pool on the pipeline's database."""

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
    }
    workers = [ServiceProcess(service, worker_logs, env).start() for service in (*SERVICES, "portal")]
    for worker in workers:
        worker.wait_for_log(READY)
    yield workers
    for worker in workers:
        worker.stop()
