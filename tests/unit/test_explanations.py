"""The status history in the applicant's language: every explanation in English and Dutch, filled
in from the values kept with it, and an entry written before keys were kept read as stored."""

import pytest

from schemas.codes import Language
from services.decision.explanations import TEMPLATES, Explanation, _fields, worded


@pytest.mark.parametrize("key", TEMPLATES)
def test_every_explanation_has_english_and_dutch_that_take_the_same_values(key):
    assert set(TEMPLATES[key]) == set(Language)
    assert _fields(TEMPLATES[key][Language.ENGLISH]) == _fields(TEMPLATES[key][Language.DUTCH])


def test_an_explanation_reads_in_either_language_with_a_caseworkers_words_quoted_as_written():
    requested = Explanation("information_requested", {"reason": "Send your employment contract."})

    assert requested.text() == (
        "More information is needed: Send your employment contract. The decision period is suspended until it arrives."
    )
    assert requested.text(Language.DUTCH) == (
        "Er is meer informatie nodig: Send your employment contract. De beslistermijn is opgeschort tot die binnen is."
    )


def test_an_explanation_without_its_values_cannot_be_made():
    with pytest.raises(KeyError, match="received"):
        Explanation("received", {"received": "01-03-2026"})


@pytest.mark.parametrize(
    "key, values",
    [(None, None), ("a key no longer known", {}), ("received", {"received": "01-03-2026"})],
)
def test_an_entry_that_cannot_be_worded_from_its_key_is_read_as_stored(key, values):
    assert worded(key, values, "Application received on 01-03-2026.", Language.DUTCH) == "Application received on 01-03-2026."


def test_an_entry_with_its_key_is_worded_in_the_language_asked_for():
    values = {"received": "01-03-2026", "due": "01-06-2026"}

    assert (
        worded("received", values, "stored", Language.DUTCH)
        == "Aanvraag ontvangen op 01-03-2026; de beslissing volgt uiterlijk 01-06-2026."
    )
