"""Who is asking (assistant/clients.py): X-Forwarded-For only from trusted proxies, read from the right."""

from __future__ import annotations

import pytest

from assistant.clients import ProxySettingError, client_address, forwarded_https, parse_networks

PROXY = parse_networks("10.0.0.5, 192.168.1.0/24")


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("10.0.0.5", {"X-Forwarded-For": "1.2.3.4"}, ()) == "10.0.0.5"
    assert client_address("10.0.0.7", {"X-Forwarded-For": "1.2.3.4"}, PROXY) == "10.0.0.7"  # not a proxy of ours


@pytest.mark.parametrize(("header", "client"), [
    ("172.16.4.20", "172.16.4.20"),
    ("6.6.6.6, 172.16.4.20", "172.16.4.20"),  # the left part is what the client wrote itself
    ("172.16.4.20, 192.168.1.9", "172.16.4.20"),  # two of our proxies in a row
    ("172.16.4.20:51234", "172.16.4.20"),
    ("[2001:db8::7]:443", "2001:db8::7"),
    ("2001:db8::7", "2001:db8::7"),
    ("unknown, 172.16.4.20", "172.16.4.20"),
    ("172.16.4.20, garbage", "10.0.0.5"),  # a hop no proxy writes: trust nothing further left
    ("", "10.0.0.5"),
    ("192.168.1.9", "192.168.1.9"),  # only proxies: the leftmost one is the client
])
def test_the_client_is_the_first_untrusted_hop_from_the_right(header: str, client: str) -> None:
    assert client_address("10.0.0.5", {"x-forwarded-for": header}, PROXY) == client


def test_several_header_lines_are_read_as_one_list() -> None:
    headers = [("x-forwarded-for", "6.6.6.6"), ("X-Forwarded-For", "172.16.4.20")]
    assert client_address("10.0.0.5", headers, PROXY) == "172.16.4.20"


def test_https_only_when_served_so_or_said_so_by_a_trusted_proxy() -> None:
    assert forwarded_https("https", "1.2.3.4", {}, ())
    assert not forwarded_https("http", "1.2.3.4", {"X-Forwarded-Proto": "https"}, PROXY)
    assert forwarded_https("http", "10.0.0.5", {"X-Forwarded-Proto": "https"}, PROXY)
    assert not forwarded_https("http", "10.0.0.5", {"X-Forwarded-Proto": "http"}, PROXY)


def test_a_wrong_proxy_setting_says_which_entry_in_dutch() -> None:
    with pytest.raises(ProxySettingError, match=r"'proxy\.local' is geen IP-adres"):
        parse_networks("10.0.0.5, proxy.local")
    assert parse_networks(" ") == ()


def test_the_chat_page_counts_escalations_per_colleague_behind_a_trusted_proxy() -> None:
    """Issue 16's limits by address use the same trusted-proxy rule as the coach login (issue 12)."""
    from types import SimpleNamespace

    from assistant.ui.client import BROWSER_COOKIE, client_of

    def request(peer: str, forwarded: str) -> SimpleNamespace:
        return SimpleNamespace(cookies={BROWSER_COOKIE: "a" * 24}, client=SimpleNamespace(host=peer),
                               headers={"x-forwarded-for": forwarded})

    proxy = parse_networks("10.0.0.5")
    assert client_of(request("10.0.0.5", "192.0.2.7"), proxy).address == "192.0.2.7"
    assert client_of(request("10.0.0.5", "192.0.2.7")).address == "10.0.0.5"  # no proxy trusted: the peer
    assert client_of(request("198.51.100.9", "192.0.2.7"), proxy).address == "198.51.100.9"  # not our proxy
    assert client_of(request("10.0.0.5", "192.0.2.7"), proxy).browser == "a" * 24
