"""Which email an event calls for, rendered from the templates in the applicant's language.

Pure: no I/O beyond reading templates. The context handed to a template never contains the
passport number or the date of birth, so no template can print them.
"""

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from schemas.cases import CaseRegistered
from schemas.codes import ApplicationType, Language

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
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


@dataclass(frozen=True)
class Email:
    kind: str
    recipient: str
    subject: str
    body: str


def render(kind: str, language: Language, context: dict) -> tuple[str, str]:
    """(subject, body) of template ``kind`` in ``language``."""
    template = _TEMPLATES.get_template(f"{kind}.{language.value}.j2")
    blocks = {name: "".join(block(template.new_context(context))) for name, block in template.blocks.items()}
    return blocks["subject"].strip(), blocks["body"].lstrip("\n")


def application_received(event: CaseRegistered) -> Email:
    case = event.data
    language = case.applicant.language
    subject, body = render(
        "application_received",
        language,
        {
            "case_number": case.case_number,
            "given_names": case.applicant.given_names,
            "surname": case.applicant.surname,
            "application_type_name": APPLICATION_TYPE_NAMES[language][case.application_type],
            "received_on": case.received_on.strftime("%d-%m-%Y"),
        },
    )
    return Email("application_received", case.applicant.email, subject, body)
