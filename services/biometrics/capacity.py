"""How long one desk slot lasts and how many applicants it takes, per location and product.

Defaults depend only on the kind of location: IND desks have more counters than expat centres.
Operations can raise or lower the numbers for one location without a release, through an optional
JSON file of overrides (the service names it in ``DESK_CAPACITY_FILE``), shaped like
``{"AM": {"BIO": {"slot_minutes": 15, "desks": 6}}}``.
"""

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.locations import LOCATIONS, LocationKind


@dataclass(frozen=True)
class Capacity:
    slot_minutes: int
    desks: int  # applicants (persons) one slot takes in total


Overrides = dict[LocationCode, dict[AppointmentProduct, Capacity]]


DEFAULT_CAPACITY: dict[LocationKind, dict[AppointmentProduct, Capacity]] = {
    LocationKind.IND_DESK: {
        AppointmentProduct.BIOMETRICS: Capacity(15, 4),
        AppointmentProduct.DOCUMENT_PICKUP: Capacity(10, 4),
        AppointmentProduct.ENDORSEMENT_STICKER: Capacity(15, 2),
        AppointmentProduct.SUBMISSION: Capacity(30, 2),
        AppointmentProduct.INFORMATION: Capacity(15, 2),
    },
    LocationKind.EXPAT_CENTRE: {
        AppointmentProduct.BIOMETRICS: Capacity(15, 2),
        AppointmentProduct.DOCUMENT_PICKUP: Capacity(10, 2),
        AppointmentProduct.ENDORSEMENT_STICKER: Capacity(15, 1),
        AppointmentProduct.SUBMISSION: Capacity(30, 1),
        AppointmentProduct.INFORMATION: Capacity(15, 1),
    },
}

_FIELDS = ("slot_minutes", "desks")
_Code = TypeVar("_Code", bound=StrEnum)


def capacity_for(location: LocationCode, product: AppointmentProduct, overrides: dict | None = None) -> Capacity:
    """The override for this location and product when there is one, else its kind's default."""
    override = (overrides or {}).get(location, {}).get(product)
    return override or DEFAULT_CAPACITY[LOCATIONS[location].kind][product]


def load_overrides(path: Path | None) -> Overrides:
    """The overrides in ``path`` (none without a path); a ``ValueError`` names the file and key at fault."""
    if path is None:
        return {}
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"desk capacity file {path}: cannot be read as JSON: {error}") from error
    document = _object(document, path, "the top level")
    return {
        _code(LocationCode, location, path, "location"): _products(products, path, location)
        for location, products in document.items()
    }


def _products(document: object, path: Path, location: str) -> dict[AppointmentProduct, Capacity]:
    document = _object(document, path, location)
    return {
        _code(AppointmentProduct, product, path, f"product in {location}"): _capacity(numbers, path, f"{location}.{product}")
        for product, numbers in document.items()
    }


def _capacity(document: object, path: Path, key: str) -> Capacity:
    document = _object(document, path, key)
    unknown = sorted(set(document) - set(_FIELDS))
    if unknown:
        raise ValueError(f"desk capacity file {path}: {key}: unknown field {unknown[0]!r}; expected {' and '.join(_FIELDS)}")
    for field in _FIELDS:
        value = document.get(field)
        if type(value) is not int or value < 1:
            raise ValueError(f"desk capacity file {path}: {key}.{field} must be a positive whole number, got {value!r}")
    return Capacity(**document)


def _code(enum: type[_Code], value: str, path: Path, what: str) -> _Code:
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(member.value for member in enum)
        raise ValueError(f"desk capacity file {path}: unknown {what} {value!r}; expected one of {known}") from None


def _object(document: object, path: Path, key: str) -> dict:
    """``document`` if it is a JSON object; a ``ValueError`` naming ``key`` if not."""
    if not isinstance(document, dict):
        raise ValueError(f"desk capacity file {path}: {key} must be a JSON object, got {type(document).__name__}")
    return document
