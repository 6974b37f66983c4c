"""``python -m services.notify``: run one notify worker (several may run side by side)."""

from ind_runtime.worker import run_worker
from services.notify.app import MIGRATIONS, SERVICE, wiring
from services.notify.settings import NotifySettings

if __name__ == "__main__":
    run_worker(SERVICE, MIGRATIONS, wiring, NotifySettings)
