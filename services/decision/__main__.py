"""``python -m services.decision``: run one decision worker (several may run side by side).

A setting that names a file the worker cannot use (the roster, the tool keys) ends the start with
one line on stderr that names the setting and the problem, and exit status 1: an operator fixing
a deployment needs those two things, not a traceback.
"""

import sys

from ind_runtime.worker import run_worker
from services.decision.app import MIGRATIONS, SERVICE, Misconfigured, wire

if __name__ == "__main__":
    try:
        run_worker(SERVICE, MIGRATIONS, wire)
    except Misconfigured as error:
        sys.exit(f"decision cannot start: {error}")
