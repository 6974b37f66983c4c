"""The intake service's wiring: every record on the submissions topic is screened; a batch's valid
submissions become cases together (a few statements for all of them), and those that reuse a
submission id for other content are rejected with them; a record screening refused is answered
with a rejection, one by one."""

from pathlib import Path

from ind_runtime.wiring import Screened, Wiring
from ind_runtime.worker import WorkerResources
from schemas.submissions import MAX_SUBMISSION_BYTES, ApplicationSubmitted
from schemas.topics import SUBMISSIONS
from services.intake import handlers
from services.intake.settings import IntakeSettings
from services.intake.unit_of_work import IntakeUnitOfWork

SERVICE = "intake"
MIGRATIONS = Path(__file__).parent / "migrations"


def wiring(_settings: IntakeSettings, _resources: WorkerResources) -> Wiring:
    return Wiring(
        consumes=(
            Screened(
                SUBMISSIONS.name,
                ApplicationSubmitted,
                MAX_SUBMISSION_BYTES,
                accept=handlers.register_cases,
                reject=handlers.reject_submission,
            ),
        ),
        unit_of_work=IntakeUnitOfWork,
    )
