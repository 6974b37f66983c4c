"""The receipt email is in the applicant's language, names the case, and carries no passport or birth date."""

from schemas.cases import CaseRegistered
from schemas.codes import Language
from schemas.examples import APPLICANT, EXAMPLES
from services.notify.messages import application_received

REGISTERED: CaseRegistered = next(e for e in EXAMPLES if isinstance(e, CaseRegistered))


def _in(language: Language) -> CaseRegistered:
    applicant = REGISTERED.data.applicant.model_copy(update={"language": language})
    return REGISTERED.model_copy(update={"data": REGISTERED.data.model_copy(update={"applicant": applicant})})


def test_english_receipt_names_the_case_number():
    email = application_received(_in(Language.ENGLISH))
    assert "IND-2026-0000042" in email.subject and "IND-2026-0000042" in email.body
    assert email.subject.startswith("We have received")
    assert email.recipient == APPLICANT.email


def test_dutch_receipt_is_in_dutch():
    email = application_received(_in(Language.DUTCH))
    assert email.subject.startswith("Wij hebben uw aanvraag ontvangen")
    assert "kennismigrant" in email.body


def test_receipt_never_carries_the_birth_date_or_passport_number():
    for language in Language:
        email = application_received(_in(language))
        text = email.subject + email.body
        assert "1994" not in text and "17-05" not in text
        assert APPLICANT.passport_number not in text
