"""Slot length and desks come from the location's kind, unless an overrides file says otherwise."""

import json
from pathlib import Path

import pytest

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.capacity import Capacity, capacity_for, load_overrides


@pytest.mark.parametrize(
    ("location", "product", "expected"),
    [
        (LocationCode.AMSTERDAM, AppointmentProduct.BIOMETRICS, Capacity(15, 4)),
        (LocationCode.ZWOLLE, AppointmentProduct.DOCUMENT_PICKUP, Capacity(10, 4)),
        (LocationCode.DEN_BOSCH, AppointmentProduct.ENDORSEMENT_STICKER, Capacity(15, 2)),
        (LocationCode.THE_HAGUE_RIJNSTRAAT, AppointmentProduct.SUBMISSION, Capacity(30, 2)),
        (LocationCode.AMSTERDAM, AppointmentProduct.INFORMATION, Capacity(15, 2)),
        (LocationCode.XC_AMSTERDAM, AppointmentProduct.BIOMETRICS, Capacity(15, 2)),
        (LocationCode.XC_GRONINGEN, AppointmentProduct.DOCUMENT_PICKUP, Capacity(10, 2)),
        (LocationCode.XC_UTRECHT, AppointmentProduct.ENDORSEMENT_STICKER, Capacity(15, 1)),
        (LocationCode.XC_MAASTRICHT, AppointmentProduct.SUBMISSION, Capacity(30, 1)),
        (LocationCode.XC_ROTTERDAM, AppointmentProduct.INFORMATION, Capacity(15, 1)),
    ],
)
def test_without_overrides_capacity_is_the_default_for_the_kind_of_location(location, product, expected):
    assert capacity_for(location, product) == expected


def _file(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "capacity.json"
    path.write_text(json.dumps(document))
    return path


def test_an_override_replaces_the_default_for_that_location_and_product_only(tmp_path):
    overrides = load_overrides(_file(tmp_path, {"AM": {"BIO": {"slot_minutes": 20, "desks": 6}}}))
    assert capacity_for(LocationCode.AMSTERDAM, AppointmentProduct.BIOMETRICS, overrides) == Capacity(20, 6)
    assert capacity_for(LocationCode.AMSTERDAM, AppointmentProduct.DOCUMENT_PICKUP, overrides) == Capacity(10, 4)
    assert capacity_for(LocationCode.ZWOLLE, AppointmentProduct.BIOMETRICS, overrides) == Capacity(15, 4)


def test_overrides_are_keyed_by_location_and_product_codes(tmp_path):
    overrides = load_overrides(_file(tmp_path, {"XC-EHV": {"DOC": {"slot_minutes": 5, "desks": 3}}}))
    assert overrides == {LocationCode.XC_EINDHOVEN: {AppointmentProduct.DOCUMENT_PICKUP: Capacity(5, 3)}}


def test_no_file_means_no_overrides():
    assert load_overrides(None) == {}


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"XX": {"BIO": {"slot_minutes": 15, "desks": 2}}}, "'XX'"),
        ({"AM": {"FOO": {"slot_minutes": 15, "desks": 2}}}, "'FOO'"),
        ({"AM": {"BIO": {"slot_minutes": 0, "desks": 2}}}, "AM.BIO.slot_minutes"),
        ({"AM": {"BIO": {"slot_minutes": 15, "desks": -1}}}, "AM.BIO.desks"),
        ({"AM": {"BIO": {"slot_minutes": 15}}}, "AM.BIO.desks"),
        ({"AM": {"BIO": {"slot_minutes": "15", "desks": 2}}}, "AM.BIO.slot_minutes"),
        ({"AM": {"BIO": {"slot_minutes": 15, "desks": True}}}, "AM.BIO.desks"),
        ({"AM": {"BIO": {"slot_minutes": 15, "desks": 2, "rooms": 1}}}, "'rooms'"),
        ({"AM": ["BIO"]}, "AM"),
        ([], "top level"),
    ],
)
def test_a_bad_overrides_file_is_refused_naming_the_file_and_the_bad_key(tmp_path, document, named):
    path = _file(tmp_path, document)
    with pytest.raises(ValueError) as refused:
        load_overrides(path)
    assert str(path) in str(refused.value)
    assert named in str(refused.value)


def test_an_overrides_file_that_is_not_json_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "capacity.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="capacity.json"):
        load_overrides(path)


def test_a_missing_overrides_file_is_refused_naming_the_file(tmp_path):
    with pytest.raises(ValueError, match="absent.json"):
        load_overrides(tmp_path / "absent.json")
