"""Who the caseworkers are and what their role lets them do.

The roster is a JSON file rather than a table so that a deployment can ship its own without a
migration. Errors name an entry by position and id, never by the person's name.
"""

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

DEFAULT_ROSTER = Path(__file__).parent / "roster.json"


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SENIOR_CASEWORKER = "senior_caseworker"
    DESK_OFFICER = "desk_officer"


DECIDING_ROLES = frozenset({Role.CASEWORKER, Role.SENIOR_CASEWORKER})
"""Roles that may grant, refuse or request information; desk officers serve applicants at the desk."""


@dataclass(frozen=True)
class Caseworker:
    caseworker_id: str
    name: str
    role: Role


def may_decide(caseworker: Caseworker) -> bool:
    return caseworker.role in DECIDING_ROLES


def load_roster(path: Path) -> dict[str, Caseworker]:
    """Every caseworker in the roster file, by id; a missing, unreadable or malformed file fails
    loudly at start-up, with a ValueError that says which and why."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"roster {path}: cannot be read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise ValueError(f"roster {path}: not UTF-8 text") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"roster {path}: not valid JSON ({error.msg} at line {error.lineno})") from error
    except RecursionError as error:
        raise ValueError(f"roster {path}: nests too deeply to be a roster") from error
    if not isinstance(entries, list):
        raise ValueError(f"roster {path}: expected a JSON list of caseworkers")
    roster: dict[str, Caseworker] = {}
    for position, entry in enumerate(entries):
        caseworker = _caseworker(path, position, entry)
        if caseworker.caseworker_id in roster:
            raise ValueError(f"roster {path}: entry {position} repeats id {caseworker.caseworker_id!r}")
        roster[caseworker.caseworker_id] = caseworker
    return roster


def _caseworker(path: Path, position: int, entry: object) -> Caseworker:
    if not isinstance(entry, dict):
        raise ValueError(f"roster {path}: entry {position} is not an object with id, name and role")
    label = f"roster {path}: entry {position}"
    if isinstance(entry.get("id"), str):
        label += f" (id {entry['id']!r})"
    for key in ("id", "name", "role"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ValueError(f"{label}: {key!r} must be a non-empty string")
    try:
        role = Role(entry["role"])
    except ValueError:
        raise ValueError(f"{label}: unknown role {entry['role']!r}; expected one of {', '.join(Role)}") from None
    return Caseworker(caseworker_id=entry["id"], name=entry["name"], role=role)
