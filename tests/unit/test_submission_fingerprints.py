"""A submission's fingerprint is equal for copies of one submission and differs for other content."""

import copy
import json
import random

from harness.applications import submission
from schemas.submissions import ApplicationSubmitted
from services.intake.fingerprints import submission_fingerprint

DOCUMENT = submission(rng=random.Random(7))


def fingerprint(document: dict) -> str:
    return submission_fingerprint(ApplicationSubmitted.model_validate_json(json.dumps(document)))


def changed(path: str, value) -> dict:
    document = copy.deepcopy(DOCUMENT)
    *parents, leaf = path.split(".")
    target = document
    for part in parents:
        target = target[part]
    target[leaf] = value
    return document


def test_the_envelopes_time_subject_extensions_and_key_order_do_not_count():
    copy_of_it = changed("time", "2030-01-01T00:00:00+01:00")
    copy_of_it["subject"] = "retried"
    copy_of_it["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    copy_of_it["data"] = dict(reversed(list(copy_of_it["data"].items())))
    assert fingerprint(copy_of_it) == fingerprint(DOCUMENT)


def test_a_default_left_out_and_an_unknown_field_do_not_count():
    unpaid = changed("data.fee_paid", False)
    without_fee = copy.deepcopy(unpaid)
    del without_fee["data"]["fee_paid"]
    with_unknown = changed("data.channel", "a field a newer producer sends")
    assert fingerprint(without_fee) == fingerprint(unpaid)
    assert fingerprint(with_unknown) == fingerprint(DOCUMENT)


def test_an_email_address_counts_as_intake_normalises_it():
    address = DOCUMENT["data"]["applicant"]["email"]
    local, domain = address.split("@")
    assert fingerprint(changed("data.applicant.email", f"{local}@{domain.upper()}")) == fingerprint(DOCUMENT)


def test_other_data_or_another_source_is_other_content():
    others = [
        changed("data.applicant.surname", "Other"),
        changed("data.applicant.date_of_birth", "1999-12-31"),
        changed("data.preferred_location", "ZW" if DOCUMENT["data"]["preferred_location"] != "ZW" else "AM"),
        changed("data.fee_paid", False),
        changed("source", "urn:intake:another-portal"),
    ]
    fingerprints = {fingerprint(document) for document in others}
    assert len(fingerprints) == len(others)
    assert fingerprint(DOCUMENT) not in fingerprints
