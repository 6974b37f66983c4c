"""Which email an event calls for, rendered from the templates in the applicant's language.

Pure: no I/O beyond reading templates. The context handed to a template is built from the event
and a ``Recipient``, and neither carries the passport number or the date of birth, so no template
can print them.
"""

from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from schemas.appointments import AppointmentAwaitingSlot, AppointmentBooked
from schemas.cases import CaseRegistered
from schemas.codes import ApplicationType, AppointmentProduct, Language
from schemas.lifecycle import CaseClosed, CaseDecided, DeadlineExceeded, InformationRequested, Outcome
from services.notify.calendar import appointment_ics

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
    auto_reload=False,  # templates ship with the code: no stat() of the file for every email
)

APPLICATION_TYPE_NAMES = {
    Language.ENGLISH: {
        ApplicationType.MVV: "an entry visa (MVV)",
        ApplicationType.HIGHLY_SKILLED_MIGRANT: "a residence permit as a highly skilled migrant",
        ApplicationType.STUDY: "a residence permit for study",
        ApplicationType.FAMILY: "a residence permit to stay with family",
        ApplicationType.EU_BLUE_CARD: "an EU Blue Card",
        ApplicationType.NATURALISATION: "naturalisation",
        ApplicationType.ASYLUM: "asylum",
    },
    Language.DUTCH: {
        ApplicationType.MVV: "een machtiging tot voorlopig verblijf (mvv)",
        ApplicationType.HIGHLY_SKILLED_MIGRANT: "een verblijfsvergunning als kennismigrant",
        ApplicationType.STUDY: "een verblijfsvergunning voor studie",
        ApplicationType.FAMILY: "een verblijfsvergunning voor verblijf bij familie",
        ApplicationType.EU_BLUE_CARD: "een Europese blauwe kaart",
        ApplicationType.NATURALISATION: "naturalisatie",
        ApplicationType.ASYLUM: "asiel",
    },
}

# Submission and information appointments are made by the applicant, who needs no email about them.
APPOINTMENT_KINDS = {
    AppointmentProduct.BIOMETRICS: "biometrics_appointment",
    AppointmentProduct.ENDORSEMENT_STICKER: "sticker_appointment",
    AppointmentProduct.DOCUMENT_PICKUP: "document_ready",
}

# What an appointment that waits for a free slot is for, as the email about the wait names it.
WAITING_APPOINTMENT_NAMES = {
    Language.ENGLISH: {
        AppointmentProduct.BIOMETRICS: "an appointment to have your biometric data (passport photo, fingerprints and signature) taken",
        AppointmentProduct.ENDORSEMENT_STICKER: "an appointment to have a residence endorsement sticker placed in your passport",
        AppointmentProduct.DOCUMENT_PICKUP: "an appointment to collect your residence document",
    },
    Language.DUTCH: {
        AppointmentProduct.BIOMETRICS: (
            "een afspraak om uw biometrische gegevens (pasfoto, vingerafdrukken en handtekening) te laten vastleggen"
        ),
        AppointmentProduct.ENDORSEMENT_STICKER: "een afspraak om een verblijfsaantekening (sticker) in uw paspoort te laten plaatsen",
        AppointmentProduct.DOCUMENT_PICKUP: "een afspraak om uw verblijfsdocument op te halen",
    },
}


@dataclass(frozen=True)
class Recipient:
    """Who an email is for: enough to address it, nothing more (no passport number, no birth date)."""

    email: str
    language: Language
    given_names: str
    surname: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Email:
    kind: str
    recipient: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


def render(kind: str, language: Language, context: dict) -> tuple[str, str]:
    """(subject, body) of template ``kind`` in ``language``."""
    subject, body = template_blocks(kind, language, context, ("subject", "body"))
    return subject.strip(), body.lstrip("\n")


def template_blocks(kind: str, language: Language, context: dict, names: tuple[str, ...]) -> list[str]:
    template = _TEMPLATES.get_template(f"{kind}.{language.value}.j2")
    return ["".join(template.blocks[name](template.new_context(context))) for name in names]


def templated_email(kind: str, to: Recipient, context: dict, attachments: tuple[Attachment, ...] = ()) -> Email:
    subject, body = render(kind, to.language, {"given_names": to.given_names, "surname": to.surname, **context})
    return Email(kind, to.email, subject, body, attachments)


def day_text(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def clock_text(moment: time) -> str:
    return moment.strftime("%H:%M")


def recipient_of(event: CaseRegistered) -> Recipient:
    """The applicant as every later email addresses them, taken from the registration."""
    applicant = event.data.applicant
    return Recipient(applicant.email, applicant.language, applicant.given_names, applicant.surname)


def application_received(event: CaseRegistered) -> Email:
    case = event.data
    to = recipient_of(event)
    return templated_email(
        "application_received",
        to,
        {
            "case_number": case.case_number,
            "application_type_name": APPLICATION_TYPE_NAMES[to.language][case.application_type],
            "received_on": day_text(case.received_on),
        },
    )


def appointment_booked(event: AppointmentBooked, to: Recipient) -> Email:
    """The appointment with a calendar file; ValueError for products the applicant books themselves."""
    appointment = event.data
    kind = APPOINTMENT_KINDS.get(appointment.product)
    if kind is None:
        raise ValueError(f"no applicant email for {appointment.product.value} appointments")
    context = {
        "case_number": appointment.case_number,
        "appointment_id": appointment.appointment_id,
        "location_name": appointment.location_name,
        "address": appointment.address,
        "date": day_text(appointment.date),
        "start_time": clock_text(appointment.start_time),
        "end_time": clock_text(appointment.end_time),
    }
    # Rendered without the applicant's name (StrictUndefined enforces it): calendars get shared and synced.
    summary, description = template_blocks(kind, to.language, context, ("calendar_summary", "calendar_description"))
    ics = appointment_ics(appointment, summary.strip(), description.strip())
    return templated_email(kind, to, context, (Attachment("appointment.ics", "text/calendar", ics),))


def appointment_awaiting_slot(event: AppointmentAwaitingSlot, to: Recipient) -> Email:
    """That no desk has room for the appointment yet and that it follows by email once one has, so
    the applicant neither waits in the dark nor asks again; ValueError for products the applicant
    books themselves."""
    waiting = event.data
    name = WAITING_APPOINTMENT_NAMES[to.language].get(waiting.product)
    if name is None:
        raise ValueError(f"no applicant email for {waiting.product.value} appointments")
    return templated_email(
        "appointment_awaiting_slot",
        to,
        {"case_number": waiting.case_number, "appointment": name, "window_days": waiting.window_days},
    )


def information_requested(event: InformationRequested, to: Recipient) -> Email:
    request = event.data
    return templated_email(
        "information_requested",
        to,
        {
            "case_number": request.case_number,
            "requested": request.requested,
            "suspended_on": day_text(request.suspended_on),
        },
    )


def case_decided(event: CaseDecided, to: Recipient) -> Email:
    decision = event.data
    context = {"case_number": decision.case_number, "decided_on": day_text(decision.decided_on)}
    if decision.outcome is Outcome.REFUSED:
        return templated_email("decision_refused", to, {**context, "reason": decision.reason})
    return templated_email("decision_granted", to, {**context, "document_required": decision.document_required})


def case_closed(event: CaseClosed, to: Recipient) -> Email:
    closure = event.data
    return templated_email(
        "case_closed",
        to,
        {
            "case_number": closure.case_number,
            "closed_on": day_text(closure.closed_on),
            "granted": closure.outcome is Outcome.GRANTED,
        },
    )


def deadline_exceeded(event: DeadlineExceeded, to: Recipient) -> Email:
    lapse = event.data
    return templated_email("deadline_exceeded", to, {"case_number": lapse.case_number, "deadline": day_text(lapse.deadline)})
