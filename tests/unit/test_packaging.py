"""Every file the services read at run time is in the installed package, not only in a checkout
(the Docker image installs the project; a page template left out would be found missing there)."""

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_every_file_a_package_carries_besides_python_is_named_in_package_data():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["package-data"]["*"]
    carried = [
        path.relative_to(ROOT)
        for package in ("ind_runtime", "schemas", "services")
        for path in (ROOT / package).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]

    left_out = [str(path) for path in carried if not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns)]
    assert left_out == []
