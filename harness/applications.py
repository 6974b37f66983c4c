"""Sample submissions: valid ones of every type and location, the ways producers get them wrong,
and the case-registered event intake makes of a valid one (to feed a later stage on its own)."""

import json
import random
from datetime import UTC, date, datetime
from uuid import uuid4

from schemas.cases import ApplicantProfile, CaseRegistered, CaseRegisteredData
from schemas.codes import ApplicationType, Language, LocationCode
from schemas.submissions import ApplicationSubmitted

GIVEN_NAMES = ["Priya", "Wei", "Olu", "Maria", "Ahmed", "Sofia", "Kenji", "Amara", "Lucas", "Fatima"]
SURNAMES = ["Raman", "Chen", "Adeyemi", "Garcia", "Hassan", "Rossi", "Tanaka", "Okafor", "Silva", "Yilmaz"]
NATIONALITIES = ["IND", "CHN", "NGA", "BRA", "EGY", "ITA", "JPN", "USA", "TUR", "SYR"]


def submission(
    application_type: ApplicationType | None = None,
    location: LocationCode | None = None,
    *,
    rng: random.Random | None = None,
    submission_id: str | None = None,
    email: str | None = None,
    language: Language | None = None,
) -> dict:
    """A valid submission as the JSON document an intake system would publish."""
    rng = rng or random.Random()
    i = rng.randrange(len(GIVEN_NAMES))
    return {
        "specversion": "1.0",
        "id": submission_id or f"sub-{uuid4()}",
        "source": "urn:intake:sample-portal",
        "type": ApplicationSubmitted.EVENT_TYPE,
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "data": {
            "application_type": (application_type or rng.choice(list(ApplicationType))).value,
            "applicant": {
                "given_names": GIVEN_NAMES[i],
                "surname": rng.choice(SURNAMES),
                "date_of_birth": date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
                "nationality": rng.choice(NATIONALITIES),
                "email": email or f"applicant-{uuid4().hex[:12]}@example.org",
                "language": (language or rng.choice(list(Language))).value,
                "passport_number": f"P{rng.randint(10**6, 10**7 - 1)}",
            },
            "preferred_location": (location or rng.choice(list(LocationCode))).value,
            "sponsor_id": f"KM-{rng.randint(1, 999999):06d}",
            "fee_paid": True,
        },
    }


def case_registered(document: dict, number: int) -> CaseRegistered:
    """The case-registered event intake would publish for the submission ``document`` (as case ``number``)."""
    data = document["data"]
    applicant = {k: v for k, v in data["applicant"].items() if k != "passport_number"}
    return CaseRegistered.create(
        CaseRegisteredData(
            case_id=uuid4(),
            case_number=f"IND-2026-{number:07d}",
            submission_id=document["id"],
            application_type=data["application_type"],
            preferred_location=data["preferred_location"],
            received_on=date.today(),
            sponsor_id=data["sponsor_id"],
            fee_paid=data["fee_paid"],
            applicant=ApplicantProfile(**applicant),
        ),
        source="urn:ind:intake",
        subject=f"IND-2026-{number:07d}",
    )


def encode(document: dict) -> bytes:
    return json.dumps(document).encode()


def _with(document: dict, path: str, value) -> dict:
    """A copy of ``document`` with the dotted ``path`` set to ``value`` (or removed, for ``...``)."""
    copy = json.loads(json.dumps(document))
    *parents, leaf = path.split(".")
    target = copy
    for part in parents:
        target = target[part]
    if value is ...:
        del target[leaf]
    else:
        target[leaf] = value
    return copy


def bad_submissions() -> dict[str, tuple[bytes, str]]:
    """Kinds of bad input -> (record bytes, the field path its rejection must name)."""
    base = submission(rng=random.Random(7))
    return {
        "not JSON": (b"{this is not json", ""),
        "empty body": (b"", ""),
        "oversize body": (encode(_with(base, "data.applicant.given_names", "x" * 70_000)), ""),
        "missing field": (encode(_with(base, "data.applicant.surname", ...)), "data.applicant.surname"),
        "unknown application type": (encode(_with(base, "data.application_type", "tourism")), "data.application_type"),
        "unknown location": (encode(_with(base, "data.preferred_location", "XC-LON")), "data.preferred_location"),
        "malformed email": (encode(_with(base, "data.applicant.email", "not-an-address")), "data.applicant.email"),
        "birth date in the future": (
            encode(_with(base, "data.applicant.date_of_birth", "2999-01-01")),
            "data.applicant.date_of_birth",
        ),
        "wrong types": (encode(_with(base, "data.fee_paid", {"yes": 1})), "data.fee_paid"),
        "unknown event type": (encode(_with(base, "type", "nl.ind.application.withdrawn.v1")), "type"),
        "wrong specversion": (encode(_with(base, "specversion", "0.3")), "specversion"),
        "JSON array": (b"[1, 2, 3]", ""),
    }
