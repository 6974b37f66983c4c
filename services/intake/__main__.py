"""``python -m services.intake``: run one intake worker (several may run side by side)."""

from ind_runtime.worker import run_worker
from services.intake.app import MIGRATIONS, SERVICE, wiring
from services.intake.settings import IntakeSettings

if __name__ == "__main__":
    run_worker(SERVICE, MIGRATIONS, wiring, IntakeSettings)
