"""What an applicant reads in their case's status history, in English and in Dutch.

Each entry of the history keeps the key of its explanation and the values that fill it in, and is
worded in the applicant's language when it is read. Words the case's people chose (a caseworker's
reason, a desk's note) are quoted as they were written; nothing translates them. The English text
is also stored whole, for the CLI and for entries written before keys were kept.
"""

import string
from dataclasses import dataclass, field

from schemas.codes import Language

TEMPLATES: dict[str, dict[Language, str]] = {
    "received": {
        Language.ENGLISH: "Application received on {received}; the decision is due by {due}.",
        Language.DUTCH: "Aanvraag ontvangen op {received}; de beslissing volgt uiterlijk {due}.",
    },
    "appointment": {
        Language.ENGLISH: "{product} appointment on {day} at {time} at {location}.",
        Language.DUTCH: "{product}-afspraak op {day} om {time} bij {location}.",
    },
    "appointment_moved": {
        Language.ENGLISH: "{product} appointment moved to {day} at {time} at {location}.",
        Language.DUTCH: "{product}-afspraak verzet naar {day} om {time} bij {location}.",
    },
    "appointment_cancelled": {
        Language.ENGLISH: "{product} appointment on {day} at {time} cancelled.",
        Language.DUTCH: "{product}-afspraak op {day} om {time} afgezegd.",
    },
    "desk_flag": {
        Language.ENGLISH: "The desk flagged the application for a caseworker: {note}.",
        Language.DUTCH: "De balie heeft de aanvraag voorgelegd aan een medewerker: {note}.",
    },
    "biometrics_captured": {
        Language.ENGLISH: "Biometrics captured; the application waits for a caseworker's decision.",
        Language.DUTCH: "Biometrische gegevens afgenomen; de aanvraag wacht op de beslissing van een medewerker.",
    },
    "no_biometrics_needed": {
        Language.ENGLISH: "No biometrics needed at an IND desk; the application waits for a caseworker's decision.",
        Language.DUTCH: "Geen biometrische gegevens nodig aan een IND-balie; de aanvraag wacht op de beslissing van een medewerker.",
    },
    "flagged_by_the_desk": {
        Language.ENGLISH: "Flagged by the desk; the application waits for a caseworker's decision.",
        Language.DUTCH: "Voorgelegd door de balie; de aanvraag wacht op de beslissing van een medewerker.",
    },
    "information_received": {
        Language.ENGLISH: "Information received; the decision is now due by {due}.",
        Language.DUTCH: "Informatie ontvangen; de beslissing volgt nu uiterlijk {due}.",
    },
    "document_collected": {
        Language.ENGLISH: "Residence document collected; the case is closed.",
        Language.DUTCH: "Verblijfsdocument opgehaald; de zaak is afgesloten.",
    },
    "document_ready": {
        Language.ENGLISH: "Your residence document is ready; a pickup appointment follows.",
        Language.DUTCH: "Uw verblijfsdocument is klaar; een afspraak om het op te halen volgt.",
    },
    "deadline_exceeded": {
        Language.ENGLISH: "The decision period ended on {deadline} without a decision; we apologise.",
        Language.DUTCH: "De beslistermijn is op {deadline} verstreken zonder beslissing; onze excuses.",
    },
    "information_requested": {
        Language.ENGLISH: "More information is needed: {reason} The decision period is suspended until it arrives.",
        Language.DUTCH: "Er is meer informatie nodig: {reason} De beslistermijn is opgeschort tot die binnen is.",
    },
    "refusal_proposed": {
        Language.ENGLISH: "A proposed decision is being reviewed by a second caseworker.",
        Language.DUTCH: "Een voorgenomen beslissing wordt beoordeeld door een tweede medewerker.",
    },
    "granted_document": {
        Language.ENGLISH: "Application granted: {reason} Your residence document is being produced.",
        Language.DUTCH: "Aanvraag ingewilligd: {reason} Uw verblijfsdocument wordt gemaakt.",
    },
    "granted_closed": {
        Language.ENGLISH: "Application granted: {reason} The case is closed.",
        Language.DUTCH: "Aanvraag ingewilligd: {reason} De zaak is afgesloten.",
    },
    "refused_closed": {
        Language.ENGLISH: "Application refused: {reason} The case is closed.",
        Language.DUTCH: "Aanvraag afgewezen: {reason} De zaak is afgesloten.",
    },
}


@dataclass(frozen=True)
class Explanation:
    key: str
    values: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = {
            language: template for language, template in TEMPLATES[self.key].items() if _fields(template) - set(self.values)
        }
        if missing:
            raise KeyError(f"explanation {self.key!r} needs {sorted(_fields(next(iter(missing.values()))))}")

    def text(self, language: Language = Language.ENGLISH) -> str:
        return TEMPLATES[self.key][language].format(**self.values)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def worded(key: str | None, values: dict | None, stored: str, language: Language) -> str:
    """A history entry's explanation in ``language``: from its key when it has one (and the key is
    still known), else the English text stored with it."""
    if key in TEMPLATES and values is not None:
        try:
            return TEMPLATES[key][language].format(**values)
        except (KeyError, IndexError):
            return stored
    return stored
