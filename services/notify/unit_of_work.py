"""Notify's unit of work: the runtime's, with notify's repositories on it."""

from ind_runtime.unit_of_work import UnitOfWork
from services.notify.emails import EmailQueue, RecipientBook


class NotifyUnitOfWork(UnitOfWork):
    recipients: RecipientBook
    emails: EmailQueue

    async def __aenter__(self) -> "NotifyUnitOfWork":
        await super().__aenter__()
        self.recipients = RecipientBook(self.connection)
        self.emails = EmailQueue(self.connection)
        return self
