"""The caseworker roster loads from JSON, refuses malformed files clearly, and roles decide who may decide."""

import json
from pathlib import Path

import pytest

from services.decision.caseworkers import DEFAULT_ROSTER, Caseworker, Role, load_roster, may_decide


def _write(tmp_path: Path, entries) -> Path:
    path = tmp_path / "roster.json"
    path.write_text(json.dumps(entries))
    return path


def test_the_default_roster_has_six_caseworkers_two_seniors_and_one_desk_officer():
    roster = load_roster(DEFAULT_ROSTER)
    assert sorted(roster) == sorted([f"cw-00{n}" for n in range(1, 7)] + ["sr-001", "sr-002", "desk-001"])
    assert {cid for cid, cw in roster.items() if cw.role is Role.SENIOR_CASEWORKER} == {"sr-001", "sr-002"}
    assert roster["desk-001"].role is Role.DESK_OFFICER
    assert all(roster[f"cw-00{n}"].role is Role.CASEWORKER for n in range(1, 7))


def test_a_roster_entry_becomes_a_caseworker_keyed_by_id(tmp_path):
    path = _write(tmp_path, [{"id": "cw-100", "name": "Eva Smits", "role": "senior_caseworker"}])
    assert load_roster(path) == {"cw-100": Caseworker("cw-100", "Eva Smits", Role.SENIOR_CASEWORKER)}


def test_a_file_that_is_not_json_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "roster.json"
    path.write_text("[{not json")
    with pytest.raises(ValueError, match="not valid JSON") as error:
        load_roster(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    "content, problem",
    [
        (None, r"cannot be read \(No such file or directory\)"),
        (b"\xff\xfe[]", "not UTF-8 text"),
        (b"[" * 100_000, "nests too deeply"),
    ],
    ids=["missing", "not-utf8", "nested-too-deeply"],
)
def test_a_missing_or_unreadable_file_is_refused_with_a_value_error_naming_it(tmp_path, content, problem):
    path = tmp_path / "roster.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=problem) as error:
        load_roster(path)
    assert str(path) in str(error.value)


def test_a_file_that_is_not_a_list_is_refused(tmp_path):
    path = _write(tmp_path, {"id": "cw-100", "name": "Eva Smits", "role": "caseworker"})
    with pytest.raises(ValueError, match="expected a JSON list"):
        load_roster(path)


@pytest.mark.parametrize(
    "entry, problem",
    [
        ("cw-100", "is not an object"),
        ({"name": "Eva Smits", "role": "caseworker"}, "'id' must be a non-empty string"),
        ({"id": "cw-100", "name": " ", "role": "caseworker"}, "'name' must be a non-empty string"),
        ({"id": "cw-100", "name": "Eva Smits"}, "'role' must be a non-empty string"),
        ({"id": "cw-100", "name": "Eva Smits", "role": "director"}, "unknown role 'director'"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_file_and_the_entry(tmp_path, entry, problem):
    good = {"id": "cw-001", "name": "Sanne Verhoeven", "role": "caseworker"}
    path = _write(tmp_path, [good, entry])
    with pytest.raises(ValueError, match=problem) as error:
        load_roster(path)
    assert f"roster {path}: entry 1" in str(error.value)


def test_a_bad_entry_error_names_its_id_but_not_the_person(tmp_path):
    path = _write(tmp_path, [{"id": "cw-100", "name": "Eva Smits", "role": "director"}])
    with pytest.raises(ValueError) as error:
        load_roster(path)
    assert "'cw-100'" in str(error.value)
    assert "Eva Smits" not in str(error.value)


def test_a_duplicate_id_is_refused_naming_the_id(tmp_path):
    path = _write(
        tmp_path,
        [
            {"id": "cw-100", "name": "Eva Smits", "role": "caseworker"},
            {"id": "cw-100", "name": "Tim Smits", "role": "desk_officer"},
        ],
    )
    with pytest.raises(ValueError, match="entry 1 repeats id 'cw-100'") as error:
        load_roster(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    "role, allowed",
    [(Role.CASEWORKER, True), (Role.SENIOR_CASEWORKER, True), (Role.DESK_OFFICER, False)],
)
def test_caseworkers_and_seniors_may_decide_but_desk_officers_may_not(role, allowed):
    assert may_decide(Caseworker("x-001", "Eva Smits", role)) is allowed
