"""Why an applicant's request is refused: the HTTP status, the field at fault and the reason in words.

The applicants' endpoints (``oap_api``, ``manage_api``) answer every request they cannot do with one
of these, never with a 500: a 400 for what the request says, a 404 for what it names that is not
there (and for every credential that does not fit, so that none can be probed), a 409 for what the
agenda's state does not allow now (a full slot, a cancelled appointment), a 429 for too many tries.
"""

BAD_REQUEST = 400
NOT_FOUND = 404
CONFLICT = 409
TOO_LARGE = 413
TOO_MANY = 429
NOT_CONFIGURED = 503


class Refused(Exception):
    def __init__(self, status: int, field: str, reason: str, *, retry_after_s: int | None = None) -> None:
        super().__init__(f"{status} {field}: {reason}")
        self.status = status
        self.field = field
        self.reason = reason
        self.retry_after_s = retry_after_s
