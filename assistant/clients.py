"""Who is asking: the client's address behind trusted reverse proxies, and whether the request came over https.

A request's peer is the last hop. Only when that hop is a trusted proxy (Settings.trusted_proxies) is
X-Forwarded-For believed, read from the right: each trusted proxy appends the address it saw, so the first
untrusted address from the right is the client. Anything to the left of it is what the client wrote itself.
Without trusted proxies the header is ignored, so nobody can pick an address to dodge a limit.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence

from assistant.errors import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class ProxySettingError(ConfigError):
    """DIGIHULP_TRUSTED_PROXIES holds something that is not an address or network."""


def parse_networks(text: str) -> tuple[Network, ...]:
    """'10.0.0.5, 192.168.1.0/24, ::1' -> networks; a Dutch ConfigError names the entry that is wrong."""
    networks = []
    for entry in (part.strip() for part in (text or "").replace(";", ",").split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ProxySettingError(
                f"DIGIHULP_TRUSTED_PROXIES: '{entry}' is geen IP-adres of netwerk (bv. 10.0.0.5 of 10.0.0.0/24)."
            ) from exc
    return tuple(networks)


def _address(text: str) -> Address | None:
    """An address from a header hop: '1.2.3.4', '1.2.3.4:5678', '[::1]:80' or '::1'; None for anything else."""
    hop = text.strip().strip('"')
    if hop.startswith("["):
        hop = hop[1:].split("]", 1)[0]
    elif hop.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has more colons
        hop = hop.split(":", 1)[0]
    try:
        return ipaddress.ip_address(hop)
    except ValueError:
        return None


def _trusted(address: Address | None, trusted: Sequence[Network]) -> bool:
    return address is not None and any(address in net for net in trusted)


def _header_values(headers: Mapping[str, str] | Iterable[tuple[str, str]], name: str) -> list[str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [value for key, value in items if key.lower() == name]


def client_address(peer: str | None, headers: Mapping[str, str] | Iterable[tuple[str, str]],
                   trusted: Sequence[Network]) -> str:
    """The client's address as a string ('?' when unknown)."""
    peer_address = _address(peer or "")
    if not _trusted(peer_address, trusted):
        return str(peer_address) if peer_address is not None else (peer or "?")
    hops = [hop for value in _header_values(headers, "x-forwarded-for") for hop in value.split(",") if hop.strip()]
    client = peer_address
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a proxy would not write this: trust nothing further left
        client = address
        if not _trusted(address, trusted):
            break
    return str(client)


def forwarded_https(scheme: str, peer: str | None, headers: Mapping[str, str] | Iterable[tuple[str, str]],
                    trusted: Sequence[Network]) -> bool:
    """Served over https, directly or by a trusted proxy that terminated TLS (X-Forwarded-Proto: https)."""
    if scheme == "https":
        return True
    if not _trusted(_address(peer or ""), trusted):
        return False
    protos = [p.strip().lower() for v in _header_values(headers, "x-forwarded-proto") for p in v.split(",")]
    return bool(protos) and protos[0] == "https"
