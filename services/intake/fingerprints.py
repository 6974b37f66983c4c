"""What makes two submissions with one id the same submission: a fingerprint of their content.

A submission's id is its idempotency key, so the same id arrives again when a topic is replayed or
a producer retries a send; that copy must change nothing. The same id with other content is
something else: a producer that reused an id, whose second application would otherwise vanish.
Telling the two apart needs the content the first copy had, kept with its case as this fingerprint.

The fingerprint covers what the submission says, not how this copy of it travelled:

- ``data`` as the model reads it (so key order, white space, escapes, unknown fields and an
  address's spelling before normalisation do not count), leaving out fields that hold their
  default (so ``"fee_paid": false`` equals leaving it out, and an optional field added to the
  schema later does not change the fingerprint of a replayed old submission);
- ``type`` and ``source``: CloudEvents makes ``source`` + ``id`` unique, so the same id from
  another source is another submission; the type is pinned today and would tell a future ``.v2``
  apart;
- not ``time``, ``subject`` or extension attributes: a producer's retry may stamp them anew.
"""

import hashlib
import json

from schemas.submissions import ApplicationSubmitted


def submission_fingerprint(submission: ApplicationSubmitted) -> str:
    """SHA-256 (hex) of the submission's canonical content; equal for copies of one submission."""
    content = {
        "type": submission.type,
        "source": submission.source,
        "data": submission.data.model_dump(mode="json", exclude_defaults=True),
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
