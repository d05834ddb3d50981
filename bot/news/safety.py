"""Readers' URLs reach only the public internet: no local files, loopback or private networks.

The addresses are checked once per hop and the request then connects to the checked address
(see `bot.news.http`), so a DNS answer that changes between check and connect (rebinding)
cannot send a reader's fetch to an internal host.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from bot.errors import UnsafeURLError

Resolver = Callable[[str, int], Awaitable[list[str]]]
AddressPolicy = Callable[[str], bool]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


async def system_resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to, through the event loop's resolver.

    The system resolver also reads the numeric forms browsers accept (`2130706433`,
    `0x7f.1`, `127.1`), so they are checked as the address they really name.
    """
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeURLError(f"cannot resolve {host}: {error.strerror}") from None
    return [str(info[4][0]) for info in infos]


def is_public_address(text: str) -> bool:
    """A globally routable address, also through any IPv4 address embedded in an IPv6 one."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if address.teredo is not None:
            embedded = address.teredo[1]
        if address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not embedded.is_global:
            return False
    return address.is_global


async def check_public_url(
    url: str, *, resolve: Resolver = system_resolve, is_public: AddressPolicy = is_public_address
) -> str:
    """The public address to connect to; UnsafeURLError unless every address of the host is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURLError(f"only http and https URLs can be fetched, not {parts.scheme or '?'}:")
    host = parts.hostname
    if not host:
        raise UnsafeURLError("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURLError("the URL has an invalid port") from None
    addresses = await resolve(host, port)
    if not addresses:
        raise UnsafeURLError(f"{host} resolves to no address")
    if not all(is_public(address) for address in addresses):
        raise UnsafeURLError(f"{host} resolves to a non-public address")
    return addresses[0]
