"""Sampling every worker with py-spy during a burst, and reading where the time went.

py-spy attaches from outside (no change to the worker, little overhead), writes collapsed stacks
(``frame;frame;frame count`` per line), and we fold those into the hottest functions by own time
and by time inclusive of what they call, which is what the rounds in docs/performance/ quote.
"""

import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path


class WorkerProfiles:
    """One ``py-spy record`` per worker process, stopped (and flushed) with SIGINT."""

    def __init__(self, directory: Path, pids: dict[str, int], rate: int = 100) -> None:
        self.py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
        if self.py_spy is None:
            raise SystemExit("py-spy is not installed: pip install -e '.[bench]'")
        self.directory = directory
        self.pids = pids
        self.rate = rate
        self._recorders: list[subprocess.Popen] = []

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.collapsed.txt"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, pid in self.pids.items():
            command = [
                self.py_spy,
                "record",
                "--pid",
                str(pid),
                "--rate",
                str(self.rate),
                "--format",
                "raw",
                "--output",
                str(self.path(name)),
            ]
            self._recorders.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def stop(self) -> dict[str, dict]:
        for recorder in self._recorders:
            recorder.send_signal(signal.SIGINT)
        for recorder in self._recorders:
            try:
                recorder.wait(timeout=30)
            except subprocess.TimeoutExpired:
                recorder.kill()
        return {name: hottest(self.path(name).read_text()) for name in self.pids if self.path(name).exists()}


def hottest(collapsed: str, top: int = 15) -> dict:
    """The functions with the most samples: own (leaf) and inclusive (anywhere on the stack)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        frames = [_function(frame) for frame in stack.split(";")]
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    share = lambda c: [(name, round(100 * n / total, 1)) for name, n in c.most_common(top)]  # noqa: E731
    return {"samples": total, "own_pct": share(own), "inclusive_pct": share(inclusive)}


def _function(frame: str) -> str:
    """``name (path/to/module.py:42)`` -> ``name (module.py)``: lines would split one function."""
    name, _, where = frame.partition(" (")
    module = where.rsplit(":", 1)[0].rsplit("/", 1)[-1]
    return f"{name} ({module})" if module else name
