import pytest
from pydantic import TypeAdapter, ValidationError

from schemas.cases import CaseRegistered
from schemas.email import EmailAddress, RegisteredEmailAddress
from schemas.examples import EXAMPLES

typed = TypeAdapter(EmailAddress)
registered = TypeAdapter(RegisteredEmailAddress)


@pytest.mark.parametrize("address", ["a@b", "no-at-sign", "anna@example..nl", "x" * 250 + "@example.nl"])
def test_an_address_an_applicant_typed_is_validated_in_full(address):
    with pytest.raises(ValidationError):
        typed.validate_python(address)


def test_an_address_an_applicant_typed_is_carried_on_normalised():
    assert typed.validate_python("Anna.Jansen@Example.NL") == "Anna.Jansen@example.nl"


@pytest.mark.parametrize(
    "address", ["anna@example.nl", "Anna.Jansen@Example.NL", "jürgen@münchen.de", "o'brien+ind@mail.example.ie"]
)
def test_every_normalised_address_passes_the_shape_check_of_later_events(address):
    normalised = typed.validate_python(address)
    assert registered.validate_python(normalised) == normalised


@pytest.mark.parametrize(
    "shape",
    [
        "",
        "no-at-sign",
        "two@@example.nl",
        "a@b@example.nl",
        "@example.nl",
        "anna@",
        "an na@example.nl",
        "x" * 250 + "@example.nl",
    ],
)
def test_a_later_event_with_no_address_shape_is_refused(shape):
    with pytest.raises(ValidationError):
        registered.validate_python(shape)


def test_both_kinds_of_address_export_the_same_json_schema():
    assert typed.json_schema() == registered.json_schema() == {"type": "string", "format": "email"}


def test_a_registered_case_whose_applicant_address_has_no_address_shape_is_refused():
    (example,) = [event for event in EXAMPLES if isinstance(event, CaseRegistered)]
    document = example.model_dump(mode="json")
    document["data"]["applicant"]["email"] = "anna at example.nl"
    with pytest.raises(ValidationError, match="applicant.email"):
        CaseRegistered.model_validate(document)
