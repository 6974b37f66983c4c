"""One valid, deterministic example of every exported message: documentation and test fixture."""

from datetime import date, datetime, timezone
from uuid import UUID

from schemas.cases import ApplicantProfile, CaseRegistered, CaseRegisteredData
from schemas.codes import ApplicationType, AppointmentProduct, Language, LocationCode
from schemas.decisions import DecisionAction, DecisionRequestData, DecisionRequested
from schemas.desk import (
    AppointmentNoShow,
    BiometricsCaptured,
    CollectionData,
    DeskVisit,
    DocumentCollected,
    NoShowData,
)
from schemas.envelope import CloudEvent
from schemas.notifications import EmailParked, ParkedEmailData
from schemas.submissions import (
    Applicant,
    ApplicationSubmitted,
    Problem,
    RecordOrigin,
    RejectionData,
    SubmissionData,
    SubmissionRejected,
)

_AT = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
_CASE = UUID("0b7d6a52-3f0e-4f5e-9a57-6d2c1f0e8a11")
_VISIT = dict(
    case_id=_CASE,
    case_number="IND-2026-0000042",
    appointment_id="BIO-XC-AMS-20260310-0930-1",
    location=LocationCode.XC_AMSTERDAM,
    desk_officer="desk-ams-07",
)


def _event(cls: type[CloudEvent], data, source: str, event_id: str, subject: str | None = None) -> CloudEvent:
    return cls.create(data, source=source, subject=subject, id=event_id, time=_AT)


APPLICANT = Applicant(
    given_names="Priya",
    surname="Raman",
    date_of_birth=date(1994, 5, 17),
    nationality="IND",
    email="priya.raman@example.org",
    language=Language.ENGLISH,
    passport_number="Z1234567",
)

EXAMPLES: tuple[CloudEvent, ...] = (
    _event(
        ApplicationSubmitted,
        SubmissionData(
            application_type=ApplicationType.HIGHLY_SKILLED_MIGRANT,
            applicant=APPLICANT,
            preferred_location=LocationCode.XC_AMSTERDAM,
            sponsor_id="KM-000123",
            fee_paid=True,
        ),
        "urn:intake:mijn-ind-portal",
        "sub-7f3c2a9e-1",
    ),
    _event(
        SubmissionRejected,
        RejectionData(
            submission_id="sub-7f3c2a9e-2",
            errors=[Problem(field="data.preferred_location", message="'XX' is not a location code")],
            origin=RecordOrigin(topic="ind.intake.submissions.v1", partition=3, offset=1812),
        ),
        "urn:ind:intake",
        "rej-5d1e0c44",
    ),
    _event(BiometricsCaptured, DeskVisit(**_VISIT), "urn:desk:XC-AMS", "desk-bio-881", "IND-2026-0000042"),
    _event(
        AppointmentNoShow,
        NoShowData(**_VISIT, product=AppointmentProduct.BIOMETRICS),
        "urn:desk:XC-AMS",
        "desk-noshow-17",
        "IND-2026-0000042",
    ),
    _event(
        DocumentCollected,
        CollectionData(**{**_VISIT, "appointment_id": "DOC-XC-AMS-20260420-1100-2"}, document_number="NLD1A2B3C"),
        "urn:desk:XC-AMS",
        "desk-doc-93",
        "IND-2026-0000042",
    ),
    _event(
        DecisionRequested,
        DecisionRequestData(
            case_id=_CASE,
            case_number="IND-2026-0000042",
            caseworker_id="cw-0193",
            action=DecisionAction.GRANT,
            reason="All conditions for the highly skilled migrant permit are met.",
        ),
        "urn:caseworker-tool:queue",
        "cmd-2c9d",
        "IND-2026-0000042",
    ),
    _event(
        CaseRegistered,
        CaseRegisteredData(
            case_id=_CASE,
            case_number="IND-2026-0000042",
            submission_id="sub-7f3c2a9e-1",
            application_type=ApplicationType.HIGHLY_SKILLED_MIGRANT,
            preferred_location=LocationCode.XC_AMSTERDAM,
            received_on=date(2026, 3, 2),
            sponsor_id="KM-000123",
            fee_paid=True,
            applicant=ApplicantProfile(**APPLICANT.model_dump(exclude={"passport_number"})),
        ),
        "urn:ind:intake",
        "evt-case-registered-42",
        "IND-2026-0000042",
    ),
    _event(
        EmailParked,
        ParkedEmailData(
            case_id=_CASE,
            case_number="IND-2026-0000042",
            kind="application_received",
            event_id="evt-case-registered-42",
            attempts=10,
            error="SMTPConnectError: Error connecting to 127.0.0.1 on port 8025",
        ),
        "urn:ind:notify",
        "evt-email-parked-1",
        "IND-2026-0000042",
    ),
)
