"""A forwarded client address is believed only from the portal, with its proxy token."""

import pytest
from aiohttp.test_utils import make_mocked_request

from ind_runtime.client_address import PROXY_TOKEN_HEADER, client_address

TOKEN = "portal-proxy-token-for-tests-0123456789"


def request(headers: dict[str, str]):
    return make_mocked_request("POST", "/cases/status", headers=headers)


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({}, "peer"),
        ({"X-Forwarded-For": "203.0.113.7"}, "peer"),
        ({"X-Forwarded-For": "203.0.113.7", PROXY_TOKEN_HEADER: "a wrong token"}, "peer"),
        ({"X-Forwarded-For": "203.0.113.7", PROXY_TOKEN_HEADER: TOKEN}, "203.0.113.7"),
        ({"X-Forwarded-For": "2001:db8::1, 10.0.0.1", PROXY_TOKEN_HEADER: TOKEN}, "2001:db8::/64"),
        ({"X-Forwarded-For": "2001:db8::ffff:1", PROXY_TOKEN_HEADER: TOKEN}, "2001:db8::/64"),
        ({"X-Forwarded-For": "::ffff:203.0.113.7", PROXY_TOKEN_HEADER: TOKEN}, "203.0.113.7"),
        ({"X-Forwarded-For": "not an address", PROXY_TOKEN_HEADER: TOKEN}, "peer"),
    ],
)
def test_the_forwarded_address_counts_only_with_the_proxy_token(headers, expected):
    sent = request(headers)

    assert client_address(sent, TOKEN) == ((sent.remote or "") if expected == "peer" else expected)


def test_without_a_configured_token_no_forwarded_address_is_believed():
    sent = request({"X-Forwarded-For": "203.0.113.7", PROXY_TOKEN_HEADER: TOKEN})

    assert client_address(sent, None) == (sent.remote or "")
