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
    """The client a request counts against; an IPv6 client by its /64 network, which one subscriber
    usually holds whole (counting single addresses would give each of them 2^64 fresh starts)."""
    peer = request.remote or ""
    sent_token = request.headers.get(PROXY_TOKEN_HEADER)
    if proxy_token is None or sent_token is None or not hmac.compare_digest(sent_token.encode(), proxy_token.encode()):
        return _counted(peer)
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
    return _counted(forwarded) if _is_address(forwarded) else _counted(peer)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _counted(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
