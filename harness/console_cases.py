"""Applications that the demo leaves for people: no simulated caseworker or desk acts on them, so
they wait in the console (``make console``), in the caseworkers' queue or on a desk officer's day.

Some were received long ago, so the queue shows overdue cases and cases due soon beside new ones.
"""

import random
from datetime import UTC, datetime, timedelta

from harness.applications import submission
from schemas.codes import ApplicationType, LocationCode

DESK = LocationCode.ZWOLLE
"""Where the applications that need a desk visit book their biometrics: the demo desk officer's desk."""

_FOR_THE_QUEUE = [
    # (type, location, received this many days ago): MVV and naturalisation need no desk visit here
    (ApplicationType.MVV, LocationCode.AMSTERDAM, 120),
    (ApplicationType.NATURALISATION, LocationCode.THE_HAGUE_RIJNSTRAAT, 400),
    (ApplicationType.MVV, LocationCode.DEN_BOSCH, 80),
    (ApplicationType.MVV, LocationCode.ZWOLLE, 85),
    (ApplicationType.NATURALISATION, LocationCode.AMSTERDAM, 10),
    (ApplicationType.MVV, LocationCode.XC_AMSTERDAM, 3),
    (ApplicationType.NATURALISATION, LocationCode.DEN_BOSCH, 30),
    (ApplicationType.MVV, LocationCode.THE_HAGUE_RIJNSTRAAT, 1),
]
_FOR_THE_DESK = [ApplicationType.FAMILY, ApplicationType.HIGHLY_SKILLED_MIGRANT, ApplicationType.STUDY, ApplicationType.ASYLUM]


def waiting_for_people(rng: random.Random) -> list[dict]:
    """Submissions for the queue (no desk visit) and for the demo desk (biometrics at ``DESK``)."""
    documents = []
    for kind, location, days_ago in _FOR_THE_QUEUE:
        document = submission(kind, location, rng=rng)
        document["time"] = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
        documents.append(document)
    documents.extend(submission(kind, DESK, rng=rng) for kind in _FOR_THE_DESK)
    return documents
