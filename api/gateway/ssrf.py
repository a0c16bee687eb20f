"""Server-side request forgery guard for webhook targets.

A subscriber chooses the URL our servers POST to; without a guard it could point them at
the cloud metadata service, the database or anything else on our private network. Targets
must be http(s) and every address the host resolves to must be public. The check runs at
subscribe time (a clear error for the integrator) and again at each delivery, because DNS
may change in between; the delivery then connects to the address it checked (no second
lookup a rebinding DNS server could answer differently), and never follows redirects.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

from core.errors import Unprocessable

ALLOWED_SCHEMES = ("http", "https")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(Unprocessable):
    """A webhook URL our servers must not call."""


@dataclass(frozen=True, slots=True)
class Target:
    url: httpx.URL
    address: str  # the checked address the delivery connects to


# IPv6 ranges that carry an IPv4 address a router or relay may deliver to: 6to4
# (2002:7f00:1:: is 127.0.0.1), NAT64 well-known and local-use prefixes, and the deprecated
# IPv4-compatible form. Python calls some of them global; none is a webhook receiver's.
IPV4_TRANSITION = tuple(
    ipaddress.IPv6Network(net)
    for net in ("2002::/16", "64:ff9b::/96", "64:ff9b:1::/48", "::/96", "2001::/32")
)

# What an integrator is told: the same for every refused address, so the refusal does not
# reveal what a private name resolves to (a probe of our network through our own API).
NOT_PUBLIC = "webhook targets must resolve only to public internet addresses"


def address_problem(address: IPAddress) -> str | None:
    """Why `address` is not a public unicast address, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address_problem(address.ipv4_mapped)  # ::ffff:10.0.0.1 is 10.0.0.1
        if any(address in net for net in IPV4_TRANSITION) and not address.is_unspecified:
            return "IPv4-embedding"
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("private", address.is_private),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        # Shared (carrier-grade NAT), documentation and similar ranges are not global.
        ("non-public", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsafeTarget(f"{url!r} is not a valid URL: {exc}") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise UnsafeTarget(f"webhook URLs must use http or https, not {parsed.scheme or 'none'!r}")
    if not parsed.host:
        raise UnsafeTarget(f"{url!r} has no host")
    if parsed.userinfo:
        raise UnsafeTarget("webhook URLs must not carry credentials; verify our signature instead")
    return parsed


async def resolve(url: str, *, allow_private: bool) -> Target:
    """Check `url` and pick the address to connect to; raises `UnsafeTarget`."""
    parsed = parse_url(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parsed.host, port, type=socket.SOCK_STREAM
        )
    except socket.gaierror:
        raise UnsafeTarget(f"the host {parsed.host!r} does not resolve") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for address in addresses:
            problem = address_problem(ipaddress.ip_address(address.split("%")[0]))
            if problem is not None:
                # Every address must pass: a client may connect to any of them.
                raise UnsafeTarget(f"{parsed.host!r} refused: {NOT_PUBLIC}")
    if not addresses:
        raise UnsafeTarget(f"the host {parsed.host!r} does not resolve")
    return Target(parsed, addresses[0])
