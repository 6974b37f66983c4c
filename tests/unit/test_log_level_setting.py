"""LOG_LEVEL is read in any case and handed on in lower case; a level that does not exist still stops
the worker with a message that names the setting and the levels there are."""

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from ind_runtime.settings import Settings


@pytest.mark.parametrize(
    "given, level",
    [
        ("INFO", "info"),
        ("Info", "info"),
        ("info", "info"),
        ("DEBUG", "debug"),
        ("WARNING", "warning"),
        ("warning", "warning"),
        ("warn", "warning"),
        ("WARN", "warning"),
        ("ERROR", "error"),
    ],
)
def test_a_level_in_any_case_is_read_in_lower_case(monkeypatch, given, level):
    monkeypatch.setenv("LOG_LEVEL", given)
    assert Settings().log_level == level


def test_without_log_level_the_level_is_info(monkeypatch):
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    assert Settings().log_level == "info"


@pytest.mark.parametrize("given", ["LOUD", "verbose", "", "critical", "info "])
def test_a_level_that_does_not_exist_is_refused_naming_the_setting_and_the_levels(monkeypatch, given):
    monkeypatch.setenv("LOG_LEVEL", given)
    with pytest.raises(ValidationError) as refused:
        Settings()
    message = str(refused.value)
    assert "log_level" in message
    assert "'debug', 'info', 'warning' or 'error'" in message


def test_a_worker_with_a_wrong_setting_stops_with_one_line_naming_it_not_a_traceback():
    env = {
        **os.environ,
        "LOG_LEVEL": "loud",
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
        "DATABASE_URL": "postgresql://x@127.0.0.1:1/x",
    }
    finished = subprocess.run([sys.executable, "-m", "services.intake"], env=env, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr
    assert finished.stderr.strip().splitlines()[-1].startswith("intake cannot start: LOG_LEVEL: ")
