"""The portal says everything in both its languages."""

import re
from pathlib import Path

from schemas.codes import Language
from services.portal.words import WORDS

TEMPLATES = Path(__file__).parents[2] / "services" / "portal" / "templates"


def test_english_and_dutch_have_the_same_words_with_the_same_blanks():
    assert set(WORDS[Language.ENGLISH]) == set(WORDS[Language.DUTCH])
    for key, english in WORDS[Language.ENGLISH].items():
        assert re.findall(r"{(\w+)}", english) == re.findall(r"{(\w+)}", WORDS[Language.DUTCH][key]), key


def test_every_word_a_template_asks_for_exists():
    asked = {name for template in TEMPLATES.glob("*.html") for name in re.findall(r"\bw\.(\w+)", template.read_text())}

    assert asked <= set(WORDS[Language.ENGLISH])
