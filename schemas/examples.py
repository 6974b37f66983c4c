"""One valid, deterministic example of every exported message: documentation and test fixture."""

from datetime import UTC, date, datetime, time
from typing import TypeVar
from uuid import UUID

from schemas.applicant import (
    EndorsementStickerRequested,
    InformationSupplied,
    InformationSuppliedData,
    StickerRequestData,
)
from schemas.appointment_examples import APPOINTMENT_CHANGES
from schemas.appointments import (
    AppointmentAwaitingSlot,
    AppointmentBooked,
    AppointmentData,
    AwaitingSlotData,
    BiometricsCompleted,
    BiometricsCompletedData,
    CaseFlagged,
    CaseFlaggedData,
)
from schemas.cases import ApplicantProfile, CaseRegistered, CaseRegisteredData
from schemas.codes import ApplicationType, AppointmentProduct, Language, LocationCode
from schemas.decision_outcomes import (
    CommandAccepted,
    CommandAcceptedData,
    CommandRejected,
    CommandRejectedData,
    RejectionCode,
)
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
from schemas.lifecycle import (
    CaseAssessed,
    CaseAssessedData,
    CaseClosed,
    CaseClosedData,
    CaseDecided,
    CaseDecidedData,
    CaseResumed,
    CaseResumedData,
    DeadlineApproaching,
    DeadlineData,
    DeadlineExceeded,
    DocumentProduced,
    DocumentProducedData,
    Finding,
    InformationRequested,
    InformationRequestedData,
    Outcome,
    Recommendation,
    RefusalProposed,
    RefusalProposedData,
    Severity,
)
from schemas.notifications import EmailParked, ParkedEmailData
from schemas.signing import signed
from schemas.submissions import (
    Applicant,
    ApplicationSubmitted,
    Problem,
    RecordOrigin,
    RejectionData,
    SubmissionData,
    SubmissionRejected,
)

_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
EXAMPLE_TOOL, EXAMPLE_TOOL_KEY = "caseworker-tool-example", b"example-key-not-for-production"
_CASE = UUID("0b7d6a52-3f0e-4f5e-9a57-6d2c1f0e8a11")
_NUMBER = "IND-2026-0000042"
_VISIT = DeskVisit(
    case_id=_CASE,
    case_number="IND-2026-0000042",
    appointment_id="BIO-XC-AMS-20260310-0930-1",
    location=LocationCode.XC_AMSTERDAM,
    desk_officer="desk-ams-07",
)


E = TypeVar("E", bound=CloudEvent)


def _event(cls: type[E], data, source: str, event_id: str, subject: str | None = None) -> E:
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
    _event(BiometricsCaptured, _VISIT, "urn:desk:XC-AMS", "desk-bio-881", "IND-2026-0000042"),
    _event(
        AppointmentNoShow,
        NoShowData(**_VISIT.model_dump(), product=AppointmentProduct.BIOMETRICS),
        "urn:desk:XC-AMS",
        "desk-noshow-17",
        "IND-2026-0000042",
    ),
    _event(
        DocumentCollected,
        CollectionData(**{**_VISIT.model_dump(), "appointment_id": "DOC-XC-AMS-20260420-1100-2"}, document_number="NLD1A2B3C"),
        "urn:desk:XC-AMS",
        "desk-doc-93",
        "IND-2026-0000042",
    ),
    signed(
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
        EXAMPLE_TOOL,
        EXAMPLE_TOOL_KEY,
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
            applicant=ApplicantProfile(
                **APPLICANT.model_dump(exclude={"passport_number"}), passport_ending=APPLICANT.passport_number[-3:]
            ),
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
    _event(
        AppointmentBooked,
        AppointmentData(
            case_id=_CASE,
            case_number=_NUMBER,
            appointment_id="BIO-XC-AMS-20260310-0930-IND-2026-0000042-1",
            product=AppointmentProduct.BIOMETRICS,
            location=LocationCode.XC_AMSTERDAM,
            location_name="IN Amsterdam",
            address="Zuiderzeeweg 2, 1095 KJ Amsterdam",
            date=date(2026, 3, 10),
            start_time=time(9, 30),
            end_time=time(9, 45),
            persons=1,
            attempt=1,
        ),
        "urn:ind:biometrics",
        "evt-appointment-booked-42",
        _NUMBER,
    ),
    *APPOINTMENT_CHANGES,
    _event(
        AppointmentAwaitingSlot,
        AwaitingSlotData(case_id=_CASE, case_number=_NUMBER, product=AppointmentProduct.BIOMETRICS, attempt=1, window_days=40),
        "urn:ind:biometrics",
        "evt-appointment-awaiting-slot-42",
        _NUMBER,
    ),
    _event(
        BiometricsCompleted,
        BiometricsCompletedData(case_id=_CASE, case_number=_NUMBER, captured=True, location=LocationCode.XC_AMSTERDAM),
        "urn:ind:biometrics",
        "evt-biometrics-completed-42",
        _NUMBER,
    ),
    _event(
        CaseFlagged,
        CaseFlaggedData(case_id=_CASE, case_number=_NUMBER, reason="no-show at 3 biometrics appointments", no_shows=3),
        "urn:ind:biometrics",
        "evt-case-flagged-42",
        _NUMBER,
    ),
    _event(
        InformationSupplied,
        InformationSuppliedData(case_id=_CASE, case_number=_NUMBER, documents=["employment contract"]),
        "urn:portal:mijn-ind",
        "portal-info-42",
        _NUMBER,
    ),
    _event(
        EndorsementStickerRequested,
        StickerRequestData(case_id=_CASE, case_number=_NUMBER, preferred_location=LocationCode.AMSTERDAM),
        "urn:portal:mijn-ind",
        "portal-vaa-42",
        _NUMBER,
    ),
    _event(
        CaseAssessed,
        CaseAssessedData(
            case_id=_CASE,
            case_number=_NUMBER,
            recommendation=Recommendation.REQUEST_INFORMATION,
            findings=[
                Finding(code="sponsor_missing", severity=Severity.NEEDS_INFORMATION, message="No recognised sponsor is named.")
            ],
            deadline=date(2026, 6, 1),
        ),
        "urn:ind:decision",
        "evt-case-assessed-42",
        _NUMBER,
    ),
    _event(
        InformationRequested,
        InformationRequestedData(
            case_id=_CASE,
            case_number=_NUMBER,
            caseworker_id="cw-0193",
            requested="Please send your employment contract.",
            suspended_on=date(2026, 3, 20),
        ),
        "urn:ind:decision",
        "evt-information-requested-42",
        _NUMBER,
    ),
    _event(
        CaseResumed,
        CaseResumedData(case_id=_CASE, case_number=_NUMBER, suspended_days=12, deadline=date(2026, 6, 12)),
        "urn:ind:decision",
        "evt-case-resumed-42",
        _NUMBER,
    ),
    _event(
        RefusalProposed,
        RefusalProposedData(case_id=_CASE, case_number=_NUMBER, caseworker_id="cw-0193", reason="Salary below the threshold."),
        "urn:ind:decision",
        "evt-refusal-proposed-42",
        _NUMBER,
    ),
    _event(
        CaseDecided,
        CaseDecidedData(
            case_id=_CASE,
            case_number=_NUMBER,
            outcome=Outcome.GRANTED,
            decided_by=["cw-0193"],
            reason="All conditions for the highly skilled migrant permit are met.",
            decided_on=date(2026, 4, 1),
            document_required=True,
        ),
        "urn:ind:decision",
        "evt-case-decided-42",
        _NUMBER,
    ),
    _event(
        DocumentProduced,
        DocumentProducedData(
            case_id=_CASE, case_number=_NUMBER, document_number="NLD1A2B3C", pickup_location=LocationCode.XC_AMSTERDAM
        ),
        "urn:ind:decision",
        "evt-document-produced-42",
        _NUMBER,
    ),
    _event(
        CaseClosed,
        CaseClosedData(case_id=_CASE, case_number=_NUMBER, outcome=Outcome.GRANTED, closed_on=date(2026, 4, 20)),
        "urn:ind:decision",
        "evt-case-closed-42",
        _NUMBER,
    ),
    _event(
        DeadlineApproaching,
        DeadlineData(case_id=_CASE, case_number=_NUMBER, deadline=date(2026, 6, 1), days_left=14),
        "urn:ind:decision",
        "evt-deadline-approaching-42",
        _NUMBER,
    ),
    _event(
        DeadlineExceeded,
        DeadlineData(case_id=_CASE, case_number=_NUMBER, deadline=date(2026, 6, 1), days_left=-1),
        "urn:ind:decision",
        "evt-deadline-exceeded-42",
        _NUMBER,
    ),
    _event(
        CommandAccepted,
        CommandAcceptedData(
            command_id="cmd-2c9d",
            case_id=_CASE,
            case_number=_NUMBER,
            caseworker_id="cw-0193",
            action="grant",
            status="granted",
        ),
        "urn:ind:decision",
        "evt-command-accepted-42",
        _NUMBER,
    ),
    _event(
        CommandRejected,
        CommandRejectedData(
            command_id="cmd-2c9e",
            case_id=_CASE,
            case_number=_NUMBER,
            caseworker_id="cw-0193",
            code=RejectionCode.SAME_CASEWORKER,
            reason="a refusal must be confirmed by a different caseworker than the one who proposed it",
        ),
        "urn:ind:decision",
        "evt-command-rejected-42",
        _NUMBER,
    ),
)
