"""Service workers as child processes, the way an operator runs them: ``python -m services.<name>``."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ServiceProcess:
    def __init__(self, service: str, log_dir: Path, env: dict[str, str] | None = None, index: int = 0, root: Path = ROOT) -> None:
        """``root``: the checkout whose code the worker runs (another one to compare a change)."""
        self.service = service
        self.root = root
        self.name = f"{service}-{index}"
        self.log_path = log_dir / f"{self.name}.log"
        self._env = {**os.environ, **(env or {})}
        self._process: subprocess.Popen | None = None
        self._log_offset = 0  # where this start's lines begin: the log is kept across restarts

    def start(self) -> "ServiceProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self._log_offset = log.tell()
        self._process = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.service}"],
            cwd=self.root,
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait; SIGKILL if it does not stop in time."""
        if self._process is None:
            return None
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        return self._process.returncode

    def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def wait_for_log(self, text: str, timeout: float = 60.0) -> None:
        """Block until ``text`` appears in what the worker logged since it was last started; raise
        with the log's tail if it dies first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self._log_since_start()
            if text in log:
                return
            if not self.running:
                raise RuntimeError(f"{self.name} exited; last log lines:\n{_tail(log)}")
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} did not log {text!r} within {timeout:.0f}s; last log lines:\n{_tail(log)}")

    def _log_since_start(self) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            return log.read().decode(errors="replace")


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.splitlines()[-lines:])
