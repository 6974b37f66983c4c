"""Whose request it is, for the limits on guessing and booking: the peer's address, or, when the
request comes through the applicants' portal, the address the portal says it serves.

A ``X-Forwarded-For`` header is believed only with the proxy token the portal is given
(``PORTAL_PROXY_TOKEN``, the same value on the portal and the services it calls). Anyone else could
write any address there and so escape every per-client limit.
"""

import hmac
import ipaddress

from aiohttp import web

PROXY_TOKEN_HEADER = "X-Portal-Token"


def client_address(request: web.Request, proxy_token: str | None) -> str:
    peer = request.remote or ""
    sent_token = request.headers.get(PROXY_TOKEN_HEADER)
    if proxy_token is None or sent_token is None or not hmac.compare_digest(sent_token.encode(), proxy_token.encode()):
        return peer
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return peer
