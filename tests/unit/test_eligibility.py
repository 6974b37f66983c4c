"""Who comes to a desk for biometrics, and where they may go."""

import pytest

from schemas.codes import ApplicationType, LocationCode
from services.biometrics.eligibility import candidate_locations, needs_desk_biometrics, serves

IND_DESKS = [LocationCode.AMSTERDAM, LocationCode.DEN_BOSCH, LocationCode.THE_HAGUE_RIJNSTRAAT, LocationCode.ZWOLLE]
EXPAT_CENTRES = sorted((code for code in LocationCode if code.startswith("XC-")), key=str)


@pytest.mark.parametrize(
    ("application_type", "needed"),
    [
        (ApplicationType.HIGHLY_SKILLED_MIGRANT, True),
        (ApplicationType.STUDY, True),
        (ApplicationType.FAMILY, True),
        (ApplicationType.EU_BLUE_CARD, True),
        (ApplicationType.ASYLUM, True),
        (ApplicationType.MVV, False),
        (ApplicationType.NATURALISATION, False),
    ],
)
def test_residence_and_asylum_need_desk_biometrics_but_mvv_and_naturalisation_do_not(application_type, needed):
    assert needs_desk_biometrics(application_type) is needed


@pytest.mark.parametrize("application_type", list(ApplicationType))
def test_ind_desks_serve_every_application_type(application_type):
    assert all(serves(desk, application_type) for desk in IND_DESKS)


@pytest.mark.parametrize(
    ("application_type", "served"),
    [
        (ApplicationType.HIGHLY_SKILLED_MIGRANT, True),
        (ApplicationType.EU_BLUE_CARD, True),
        (ApplicationType.STUDY, False),
        (ApplicationType.FAMILY, False),
        (ApplicationType.ASYLUM, False),
        (ApplicationType.MVV, False),
        (ApplicationType.NATURALISATION, False),
    ],
)
def test_expat_centres_serve_only_highly_skilled_migrants_and_blue_card_holders(application_type, served):
    assert [serves(centre, application_type) for centre in EXPAT_CENTRES] == [served] * len(EXPAT_CENTRES)


def test_the_preferred_location_comes_first_then_ind_desks_then_expat_centres_by_code():
    candidates = candidate_locations(ApplicationType.HIGHLY_SKILLED_MIGRANT, LocationCode.XC_ROTTERDAM)
    assert candidates == [LocationCode.XC_ROTTERDAM, *IND_DESKS, *(c for c in EXPAT_CENTRES if c != LocationCode.XC_ROTTERDAM)]


def test_a_preferred_ind_desk_is_listed_once():
    candidates = candidate_locations(ApplicationType.EU_BLUE_CARD, LocationCode.ZWOLLE)
    assert candidates[0] == LocationCode.ZWOLLE
    assert candidates.count(LocationCode.ZWOLLE) == 1
    assert len(candidates) == 13


def test_a_preferred_expat_centre_that_does_not_serve_the_type_sends_the_applicant_to_the_ind_desks():
    assert candidate_locations(ApplicationType.STUDY, LocationCode.XC_UTRECHT) == IND_DESKS
