"""Automated rules run before a caseworker sees a case: they recommend, a caseworker decides.

Each rule looks at one fact of the application and returns a finding or nothing; ``RULES`` lists
them all, so adding a rule is one function and one line. Findings are shown to caseworkers and
travel in events, so their messages never repeat the applicant's personal data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from schemas.codes import ApplicationType
from schemas.lifecycle import Finding, Recommendation, Severity

ADULT_AGE = 18

FEE_EXEMPT = frozenset({ApplicationType.ASYLUM})
SPONSORED = frozenset({ApplicationType.HIGHLY_SKILLED_MIGRANT, ApplicationType.STUDY, ApplicationType.FAMILY})
ADULTS_ONLY = frozenset({ApplicationType.HIGHLY_SKILLED_MIGRANT, ApplicationType.EU_BLUE_CARD, ApplicationType.NATURALISATION})

_EU_EEA = frozenset(
    {
        "AUT",
        "BEL",
        "BGR",
        "HRV",
        "CYP",
        "CZE",
        "DNK",
        "EST",
        "FIN",
        "FRA",
        "DEU",
        "GRC",
        "HUN",
        "IRL",
        "ITA",
        "LVA",
        "LTU",
        "LUX",
        "MLT",
        "NLD",
        "POL",
        "PRT",
        "ROU",
        "SVK",
        "SVN",
        "ESP",
        "SWE",
        "ISL",
        "LIE",
        "NOR",
    }
)
MVV_EXEMPT_NATIONALITIES = _EU_EEA | {"CHE", "GBR", "USA", "CAN", "AUS", "NZL", "JPN", "KOR", "MCO", "VAT"}
"""ISO 3166-1 alpha-3 codes of nationals who may enter without an MVV and apply for residence directly."""


@dataclass(frozen=True)
class Assessment:
    recommendation: Recommendation
    findings: tuple[Finding, ...]

    def with_findings(self, *findings: Finding) -> "Assessment":
        """This assessment with more findings (made elsewhere than in ``RULES``), recommending anew."""
        everything = self.findings + findings
        return Assessment(recommend(everything), everything)


@dataclass(frozen=True)
class ApplicantFacts:
    """What an assessment needs to know of the applicant (kept in the case file from registration)."""

    date_of_birth: date
    nationality: str
    sponsor_id: str | None
    fee_paid: bool


@dataclass(frozen=True)
class _Facts:
    application_type: ApplicationType
    date_of_birth: date
    nationality: str
    sponsor_id: str | None
    fee_paid: bool
    today: date


def _fee_not_paid(facts: _Facts) -> Finding | None:
    if facts.fee_paid or facts.application_type in FEE_EXEMPT:
        return None
    return Finding(
        code="fee_not_paid",
        severity=Severity.NEEDS_INFORMATION,
        message="The application fee has not been paid.",
    )


def _sponsor_missing(facts: _Facts) -> Finding | None:
    if facts.sponsor_id or facts.application_type not in SPONSORED:
        return None
    return Finding(
        code="sponsor_missing",
        severity=Severity.NEEDS_INFORMATION,
        message="No recognised sponsor is named, and this type of application requires one.",
    )


def _under_age(facts: _Facts) -> Finding | None:
    if facts.application_type not in ADULTS_ONLY or _age(facts.date_of_birth, facts.today) >= ADULT_AGE:
        return None
    return Finding(
        code="under_age",
        severity=Severity.BLOCKING,
        message=f"The applicant is younger than {ADULT_AGE}, and this type of application is open to adults only.",
    )


def _mvv_not_required(facts: _Facts) -> Finding | None:
    if facts.application_type is not ApplicationType.MVV or facts.nationality not in MVV_EXEMPT_NATIONALITIES:
        return None
    return Finding(
        code="mvv_not_required",
        severity=Severity.BLOCKING,
        message="The applicant's nationality does not need an MVV; they can apply for a residence permit directly.",
    )


RULES: tuple[Callable[[_Facts], Finding | None], ...] = (
    _fee_not_paid,
    _sponsor_missing,
    _under_age,
    _mvv_not_required,
)


def assess(
    application_type: ApplicationType,
    date_of_birth: date,
    nationality: str,
    sponsor_id: str | None,
    fee_paid: bool,
    today: date,
) -> Assessment:
    facts = _Facts(application_type, date_of_birth, nationality, sponsor_id, fee_paid, today)
    findings = tuple(finding for rule in RULES if (finding := rule(facts)) is not None)
    return Assessment(recommendation=recommend(findings), findings=findings)


def assess_applicant(application_type: ApplicationType, facts: ApplicantFacts, today: date) -> Assessment:
    return assess(application_type, facts.date_of_birth, facts.nationality, facts.sponsor_id, facts.fee_paid, today)


def desk_flag(reason: str) -> Finding:
    """The desk gave up on the applicant's biometrics (``reason``, in the desk's words): a caseworker must look."""
    return Finding(code="desk_stage_incomplete", severity=Severity.BLOCKING, message=f"Flagged by the desk: {reason}.")


def recommend(findings: tuple[Finding, ...]) -> Recommendation:
    severities = {finding.severity for finding in findings}
    if Severity.BLOCKING in severities:
        return Recommendation.REFUSE
    if Severity.NEEDS_INFORMATION in severities:
        return Recommendation.REQUEST_INFORMATION
    return Recommendation.GRANT


def _age(date_of_birth: date, today: date) -> int:
    """Completed years; someone born on 29 February comes of age on 1 March in a common year."""
    birthday_passed = (today.month, today.day) >= (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - (0 if birthday_passed else 1)
