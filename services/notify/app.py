"""The notify service's wiring: the events of three topics queue emails, and the dispatcher sends them.

A batch's events queue their emails together (``handlers.queue_emails``); what it leaves (an
unreadable record, an event whose case's registration is not read yet, and every later record
about the same case) goes one by one, where it is parked or set aside. Each commit that may have
queued an email wakes the dispatcher.
"""

import functools
from pathlib import Path

from ind_runtime.wiring import Events, Wiring
from ind_runtime.worker import WorkerResources
from schemas.topics import CASE_APPOINTMENTS, CASE_LIFECYCLE, CASES_REGISTERED
from services.notify import handlers
from services.notify.appointment_changes import ManageLinks
from services.notify.dispatcher import MailDispatcher
from services.notify.settings import NotifySettings
from services.notify.unit_of_work import NotifyUnitOfWork

SERVICE = "notify"
MIGRATIONS = Path(__file__).parent / "migrations"


def wiring(settings: NotifySettings, resources: WorkerResources) -> Wiring:
    dispatcher = MailDispatcher(settings, lambda: resources.pool, SERVICE)
    key = settings.manage_link_key
    links = ManageLinks(key.get_secret_value().encode() if key is not None else None, settings.manage_url, settings.portal_url)
    emails_for = functools.partial(handlers.emails_for, links=links)
    return Wiring(
        consumes=tuple(
            Events(topic.name, handlers.EMAILED_TYPES, emails_for, then=dispatcher.wake)
            for topic in (CASES_REGISTERED, CASE_APPOINTMENTS, CASE_LIFECYCLE)
        ),
        background=(dispatcher.run,),
        unit_of_work=NotifyUnitOfWork,
    )
