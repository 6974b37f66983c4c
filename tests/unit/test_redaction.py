"""Personal data never reaches a log line, whatever shape it arrives in."""

import json
import logging

import structlog

from ind_runtime.logs import REDACTED, configure_logging, redact_personal_data, scrub_text


def test_personal_keys_are_redacted_at_any_depth():
    event = redact_personal_data(
        None, "info", {"event": "x", "payload": {"applicant": {"email": "a@b.nl"}, "passport_number": "X1"}}
    )
    assert event["payload"] == {"applicant": REDACTED, "passport_number": REDACTED}


def test_email_addresses_and_dates_inside_free_text_are_scrubbed():
    text = scrub_text("failed for priya@example.org born 1994-05-17 passport_number='Z1234567'")
    assert "priya@example.org" not in text
    assert "1994-05-17" not in text
    assert "Z1234567" not in text


def test_standard_library_records_are_rendered_as_redacted_json(capsys, request):
    configure_logging("info")
    request.addfinalizer(logging.getLogger().handlers.clear)  # they write to this test's captured stderr
    logging.getLogger("aiokafka.fake").warning("cannot deliver to someone@example.org")
    structlog.get_logger("t").info("case registered", case_id="c-1", email="someone@example.org")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert all("someone@example.org" not in json.dumps(line) for line in lines)
    assert lines[-1]["case_id"] == "c-1"
