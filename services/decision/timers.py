"""What the decision service does when time passes rather than when a record comes: residence
documents become ready once their lead time is over, and caseworkers are warned of a statutory
deadline that nears and told of one that passed.

Each timer handles at most ``TIMER_BATCH`` cases in a unit of work and returns how many it handled,
so that the worker runs it again at once until a batch comes back short.
"""

from datetime import timedelta

from services.decision.case import deadline_approaching, deadline_exceeded, document_produced
from services.decision.deadlines import dutch_date
from services.decision.explanations import Explanation
from services.decision.policy import DecisionPolicy
from services.decision.unit_of_work import DecisionUnitOfWork, announce

TIMER_BATCH = 200


async def produce_due_documents(uow: DecisionUnitOfWork, policy: DecisionPolicy) -> int:
    """Documents whose production lead time has passed are ready for pickup."""
    produced = [document_produced(case) for case in await uow.cases.documents_due(policy.now(), TIMER_BATCH)]
    for case in produced:
        uow.cases.note(case.case_id, case.status, "decision", Explanation("document_ready"))
        await announce(uow, case.events)
    await uow.cases.save_many(produced)
    await uow.commit()
    return len(produced)


async def watch_deadlines(uow: DecisionUnitOfWork, policy: DecisionPolicy) -> int:
    """Warn before a statutory deadline, and announce each one that passed without a decision (each once)."""
    today = policy.today()
    nearing = await uow.cases.nearing_deadline(today + timedelta(days=policy.deadline_warning_days), TIMER_BATCH)
    await uow.cases.mark_warned([case.case_id for case in nearing], today)
    for case in nearing:
        await announce(uow, deadline_approaching(case, today))
    overdue = await uow.cases.past_deadline(today, TIMER_BATCH)
    await uow.cases.mark_overdue([case.case_id for case in overdue], today)
    for case in overdue:
        explanation = Explanation("deadline_exceeded", {"deadline": dutch_date(case.deadline)})
        uow.cases.note(case.case_id, case.status, "decision", explanation)
        await announce(uow, deadline_exceeded(case, today))
    await uow.commit()
    return len(nearing) + len(overdue)
