"""Readers' URLs reach only the public internet: no local files, loopback or private networks."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from bot.errors import UnsafeURLError

Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to, through the event loop's resolver."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeURLError(f"cannot resolve {host}: {error.strerror}") from None
    return [info[4][0] for info in infos]


async def check_public_url(url: str, *, resolve: Resolver = system_resolve) -> None:
    """Raises UnsafeURLError unless the URL is http(s) and every address of its host is public."""
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
    for address in addresses:
        if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
            raise UnsafeURLError(f"{host} resolves to a non-public address")
