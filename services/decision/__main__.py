"""``python -m services.decision``: run one decision worker (several may run side by side).

A setting that names a file the worker cannot use (the roster, the tool keys) ends the start with
one line on stderr that names the setting and the problem, and exit status 1 (``run_worker``).
"""

from ind_runtime.worker import run_worker
from services.decision.app import MIGRATIONS, SERVICE, wiring
from services.decision.settings import DecisionSettings

if __name__ == "__main__":
    run_worker(SERVICE, MIGRATIONS, wiring, DecisionSettings)
