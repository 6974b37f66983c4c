"""Automated assessment: each rule fires only where it applies, and the findings set the recommendation."""

from datetime import date

import pytest

from schemas.codes import ApplicationType
from schemas.lifecycle import Recommendation, Severity
from services.decision.assessment import MVV_EXEMPT_NATIONALITIES, assess

TODAY = date(2025, 6, 15)
ADULT = date(1990, 3, 4)


def _assess(**changes):
    facts = {
        "application_type": ApplicationType.HIGHLY_SKILLED_MIGRANT,
        "date_of_birth": ADULT,
        "nationality": "IND",
        "sponsor_id": "SP-12345",
        "fee_paid": True,
        "today": TODAY,
    }
    return assess(**(facts | changes))


def _codes(assessment) -> list[str]:
    return [finding.code for finding in assessment.findings]


def test_a_complete_application_has_no_findings_and_is_recommended_for_grant():
    assessment = _assess()
    assert assessment.findings == ()
    assert assessment.recommendation is Recommendation.GRANT


@pytest.mark.parametrize("application_type", sorted(set(ApplicationType) - {ApplicationType.ASYLUM}))
def test_an_unpaid_fee_needs_information(application_type):
    assessment = _assess(application_type=application_type, fee_paid=False)
    (finding,) = [f for f in assessment.findings if f.code == "fee_not_paid"]
    assert finding.severity is Severity.NEEDS_INFORMATION
    assert finding.message == "The application fee has not been paid."


def test_a_paid_fee_raises_no_fee_finding():
    assert "fee_not_paid" not in _codes(_assess(fee_paid=True))


def test_asylum_has_no_fee_so_never_an_unpaid_fee_finding():
    assert "fee_not_paid" not in _codes(_assess(application_type=ApplicationType.ASYLUM, fee_paid=False))


@pytest.mark.parametrize(
    "application_type",
    [ApplicationType.HIGHLY_SKILLED_MIGRANT, ApplicationType.STUDY, ApplicationType.FAMILY],
)
@pytest.mark.parametrize("sponsor_id", [None, ""])
def test_a_missing_sponsor_needs_information_where_the_type_has_one(application_type, sponsor_id):
    assessment = _assess(application_type=application_type, sponsor_id=sponsor_id)
    (finding,) = [f for f in assessment.findings if f.code == "sponsor_missing"]
    assert finding.severity is Severity.NEEDS_INFORMATION


@pytest.mark.parametrize(
    "application_type",
    [ApplicationType.MVV, ApplicationType.EU_BLUE_CARD, ApplicationType.NATURALISATION, ApplicationType.ASYLUM],
)
def test_types_without_a_sponsor_never_miss_one(application_type):
    assert "sponsor_missing" not in _codes(_assess(application_type=application_type, sponsor_id=None))


def test_a_named_sponsor_raises_no_sponsor_finding():
    assert "sponsor_missing" not in _codes(_assess(application_type=ApplicationType.STUDY, sponsor_id="SP-1"))


@pytest.mark.parametrize(
    "application_type",
    [ApplicationType.HIGHLY_SKILLED_MIGRANT, ApplicationType.EU_BLUE_CARD, ApplicationType.NATURALISATION],
)
def test_an_applicant_under_18_is_blocked_for_adult_only_types(application_type):
    assessment = _assess(application_type=application_type, date_of_birth=date(2007, 6, 16))
    (finding,) = [f for f in assessment.findings if f.code == "under_age"]
    assert finding.severity is Severity.BLOCKING


def test_an_applicant_turning_18_today_is_of_age():
    assert "under_age" not in _codes(_assess(date_of_birth=date(2007, 6, 15)))


def test_an_applicant_born_on_29_february_comes_of_age_on_1_march_in_a_common_year():
    born = date(2004, 2, 29)
    assert "under_age" in _codes(_assess(date_of_birth=born, today=date(2022, 2, 28)))
    assert "under_age" not in _codes(_assess(date_of_birth=born, today=date(2022, 3, 1)))


@pytest.mark.parametrize(
    "application_type",
    [ApplicationType.MVV, ApplicationType.STUDY, ApplicationType.FAMILY, ApplicationType.ASYLUM],
)
def test_minors_may_apply_for_types_open_to_them(application_type):
    assert "under_age" not in _codes(_assess(application_type=application_type, date_of_birth=date(2015, 1, 1)))


@pytest.mark.parametrize("nationality", ["DEU", "NLD", "NOR", "CHE", "GBR", "USA", "JPN", "KOR", "VAT"])
def test_an_mvv_for_a_national_who_needs_none_is_blocked(nationality):
    assessment = _assess(application_type=ApplicationType.MVV, nationality=nationality)
    (finding,) = [f for f in assessment.findings if f.code == "mvv_not_required"]
    assert finding.severity is Severity.BLOCKING


@pytest.mark.parametrize("nationality", ["IND", "TUR", "MAR", "CHN", "BRA"])
def test_an_mvv_for_a_national_who_needs_one_raises_no_finding(nationality):
    assert "mvv_not_required" not in _codes(_assess(application_type=ApplicationType.MVV, nationality=nationality))


def test_a_residence_permit_for_an_mvv_exempt_national_raises_no_mvv_finding():
    assert "mvv_not_required" not in _codes(_assess(nationality="USA"))


def test_the_mvv_exemption_covers_the_30_eea_states_and_ten_more():
    assert len(MVV_EXEMPT_NATIONALITIES) == 40
    assert all(len(code) == 3 and code.isupper() for code in MVV_EXEMPT_NATIONALITIES)


def test_information_needed_without_a_blocker_recommends_a_request_for_information():
    assessment = _assess(fee_paid=False, sponsor_id=None)
    assert _codes(assessment) == ["fee_not_paid", "sponsor_missing"]
    assert assessment.recommendation is Recommendation.REQUEST_INFORMATION


def test_a_blocking_finding_recommends_refusal_even_when_information_is_also_needed():
    assessment = _assess(fee_paid=False, date_of_birth=date(2010, 1, 1))
    assert _codes(assessment) == ["fee_not_paid", "under_age"]
    assert assessment.recommendation is Recommendation.REFUSE


def test_messages_carry_no_personal_data():
    born = date(2009, 11, 23)
    assessment = _assess(
        application_type=ApplicationType.MVV, date_of_birth=born, nationality="USA", sponsor_id=None, fee_paid=False
    )
    assert _codes(assessment) == ["fee_not_paid", "mvv_not_required"]
    minor = _assess(date_of_birth=born, sponsor_id=None, fee_paid=False)
    assert _codes(minor) == ["fee_not_paid", "sponsor_missing", "under_age"]
    for finding in assessment.findings + minor.findings:
        for text in (born.isoformat(), "2009", "23-11", "23/11", "USA", "SP-12345"):
            assert text not in finding.message
        assert finding.message.endswith(".")
