"""Every worker runs on the event loop its settings name (``EVENT_LOOP``, uvloop unless set)."""

import json

from tests.conftest import eventually


async def test_every_worker_runs_on_uvloop_by_default(pipeline):
    async def loops() -> dict[str, str]:
        ready = {}
        for worker in pipeline:
            for line in worker.log_path.read_text().splitlines():
                if '"worker resources ready"' in line:
                    entry = json.loads(line)
                    ready[entry["service"]] = entry["event_loop"]
        return ready if len(ready) == len(pipeline) else {}

    ready = await eventually(loops, message="every worker's resources ready")
    assert set(ready.values()) == {"uvloop"}, ready
