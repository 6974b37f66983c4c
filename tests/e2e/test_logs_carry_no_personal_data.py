"""A submission with marked personal data goes all the way through; no worker log line shows a marker."""

from uuid import uuid4

from harness.applications import encode, submission
from schemas.topics import SUBMISSIONS
from tests.conftest import eventually


async def test_worker_logs_never_contain_names_emails_passport_numbers_or_birth_dates(pipeline, producer, pool, smtp_server):
    marker = uuid4().hex[:8].upper()
    document = submission(email=f"marker-{marker.lower()}@example.org")
    applicant = document["data"]["applicant"]
    applicant.update(
        given_names=f"Given{marker}", surname=f"Surname{marker}", passport_number=f"M{marker[:7]}", date_of_birth="1977-07-17"
    )
    broken = submission()
    broken["data"]["applicant"].update(passport_number=f"M{marker[:7]}", date_of_birth="1977-07-17", email=f"{marker}broken")

    await producer.send_and_wait(SUBMISSIONS.name, encode(document), key=document["id"].encode())
    await producer.send_and_wait(SUBMISSIONS.name, encode(broken), key=broken["id"].encode())

    async def emailed():
        return smtp_server.to(applicant["email"])

    await eventually(emailed, message="the receipt of the marked submission")
    logs = "\n".join(worker.log_path.read_text() for worker in pipeline)
    assert "cases registered" in logs and "submission rejected" in logs
    for secret in (marker, marker.lower(), applicant["passport_number"], "1977-07-17", applicant["email"]):
        assert secret not in logs, f"personal data {secret!r} found in a worker log"
