"""``python -m services.biometrics``: run one desk worker (several may run side by side)."""

from ind_runtime.worker import run_worker
from services.biometrics.app import MIGRATIONS, SERVICE, wiring
from services.biometrics.settings import DeskSettings

if __name__ == "__main__":
    run_worker(SERVICE, MIGRATIONS, wiring, DeskSettings)
