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


def address_problem(address: IPAddress) -> str | None:
    """Why `address` is not a public unicast address, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_problem(address.ipv4_mapped)  # ::ffff:10.0.0.1 is 10.0.0.1
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
                raise UnsafeTarget(
                    f"the host {parsed.host!r} resolves to a {problem} address ({address}); "
                    "webhook targets must be public"
                )
    if not addresses:
        raise UnsafeTarget(f"the host {parsed.host!r} does not resolve")
    return Target(parsed, addresses[0])
