"""Every location code has one location: four IND desks and nine expat centres."""

from schemas.codes import LocationCode
from services.biometrics.locations import LOCATIONS, LocationKind


def test_every_location_code_has_a_location_filed_under_its_own_code():
    assert set(LOCATIONS) == set(LocationCode)
    assert all(location.code == code for code, location in LOCATIONS.items())
    assert len(LOCATIONS) == 13


def test_there_are_four_ind_desks_and_nine_expat_centres():
    kinds = [location.kind for location in LOCATIONS.values()]
    assert kinds.count(LocationKind.IND_DESK) == 4
    assert kinds.count(LocationKind.EXPAT_CENTRE) == 9


def test_two_letter_codes_are_ind_desks_and_xc_codes_are_expat_centres():
    for code, location in LOCATIONS.items():
        expected = LocationKind.EXPAT_CENTRE if code.startswith("XC-") else LocationKind.IND_DESK
        assert location.kind == expected, code


def test_locations_carry_their_real_names_and_cities():
    assert (LOCATIONS[LocationCode.DEN_BOSCH].name, LOCATIONS[LocationCode.DEN_BOSCH].city) == (
        "IND desk Den Bosch",
        "'s-Hertogenbosch",
    )
    assert (LOCATIONS[LocationCode.XC_EINDHOVEN].name, LOCATIONS[LocationCode.XC_EINDHOVEN].city) == (
        "Holland Expat Center South",
        "Eindhoven",
    )
    assert len({location.name for location in LOCATIONS.values()}) == 13


def test_every_location_has_an_address_and_opens_before_it_closes():
    for location in LOCATIONS.values():
        opens, closes = location.opening_hours
        assert location.address, location.code
        assert opens < closes, location.code
