"""The email about a free slot that suits an applicant's alert (``slot_available``): where and when,
a link to book it on the portal, and a link that stops the alert.

- The **booking link** opens the portal's free times of the slot's desk for the alert's product and
  persons (``{PORTAL_URL}/{language}/book/slots?product=..&persons=..&desk=..``), where the slot is
  one to choose if nobody has taken it meanwhile: the alert holds no seat.
- The **unsubscribe link** carries the alert's token after ``#``, which no browser sends to a server
  (``{PORTAL_URL}/{language}/alerts/stop#token=..``). Notify derives the token from the event's
  reference with the key it shares with biometrics (``MANAGE_LINK_KEY``), as it does manage links;
  without the key the email goes without it (the alert then ends when its day comes).

The email goes to the address the alert was asked for with, in its language, and names nobody: an
alert knows no name.
"""

from urllib.parse import urlencode

from schemas.manage_links import manage_link, unsubscribe_token
from schemas.slot_alerts import SlotAvailable
from services.notify.appointment_changes import PRODUCT_NAMES, ManageLinks
from services.notify.messages import Email, Recipient, clock_text, day_text, templated_email


def alert_recipient(event: SlotAvailable) -> Recipient:
    return Recipient(event.data.email, event.data.language, "", "")


def slot_available(event: SlotAvailable, to: Recipient, links: ManageLinks) -> Email:
    data = event.data
    portal = f"{links.portal_url.rstrip('/')}/{to.language.value}"
    query = urlencode({"product": data.product.value, "persons": data.persons, "desk": data.location.value})
    stop = None
    if links.key is not None:
        stop = manage_link(f"{portal}/alerts/stop", unsubscribe_token(links.key, data.unsubscribe_reference))
    context = {
        "product_name": PRODUCT_NAMES[to.language][data.product],
        "persons": data.persons,
        "location_name": data.location_name,
        "address": data.address,
        "date": day_text(data.date),
        "start_time": clock_text(data.start_time),
        "end_time": clock_text(data.end_time),
        "before": day_text(data.before),
        "book_url": f"{portal}/book/slots?{query}",
        "unsubscribe_url": stop,
    }
    return templated_email("slot_available", to, context)
