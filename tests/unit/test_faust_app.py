"""The Faust app every service is built on."""

import tempfile
from pathlib import Path

from ind_runtime.faust_app import create_app
from ind_runtime.settings import Settings


def test_faust_data_directory_is_under_the_temporary_directory_not_where_the_worker_started():
    app = create_app("intake", Settings())

    datadir = Path(app.conf.datadir)
    assert datadir == Path(tempfile.gettempdir()) / "ind-intake-data"
    assert datadir.parent.is_dir()  # Faust makes the directory but not its parents
