"""``python -m services.decision``: run one decision worker (several may run side by side)."""

from ind_runtime.worker import run_worker
from services.decision.app import MIGRATIONS, SERVICE, wire

if __name__ == "__main__":
    run_worker(SERVICE, MIGRATIONS, wire)
