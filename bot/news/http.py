"""HTTP fetching for sources and readers' URLs: capped, redirect-checked, retried, conditional."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from bot.config import FetchConfig
from bot.errors import FetchError
from bot.news.safety import (
    AddressPolicy,
    Resolver,
    check_public_url,
    is_public_address,
    system_resolve,
)

log = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)


class _RetryableError(FetchError):
    """A timeout or server error: worth another try after a pause."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A completed response: the final URL after redirects and the (capped) body."""

    url: str
    status: int
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """A 304: the conditional GET found nothing new."""
        return self.status == 304


def make_client(fetch: FetchConfig) -> httpx.AsyncClient:
    """The one shared client: explicit timeouts, our User-Agent, redirects followed by hand."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(fetch.read_timeout, connect=fetch.connect_timeout),
        follow_redirects=False,
        headers={"User-Agent": fetch.user_agent, "Accept": _ACCEPT},
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=8),
    )


class Fetcher:
    """GETs a URL with the fetch policy of the config; every failure is one FetchError line."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        config: FetchConfig,
        *,
        resolve: Resolver = system_resolve,
        is_public: AddressPolicy = is_public_address,
    ) -> None:
        self.client = client
        self.config = config
        self.resolve = resolve
        self.is_public = is_public

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        untrusted: bool = False,
    ) -> FetchResult:
        """Fetches with retries on timeouts and 5xx; connect and DNS errors fail at once."""
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        check = untrusted and not self.config.allow_private_urls
        for attempt in range(self.config.retries + 1):
            try:
                return await self._follow(url, conditional, check)
            except _RetryableError as error:
                if attempt == self.config.retries:
                    raise FetchError(str(error)) from None
                delay = self.config.backoff * 2**attempt
                log.debug("retrying %s in %.2fs after: %s", url, delay, error)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _follow(self, url: str, conditional: dict[str, str], check: bool) -> FetchResult:
        """Follows redirects one hop at a time, checking each hop and detecting loops."""
        seen: set[str] = set()
        current = url
        for _hop in range(self.config.max_redirects + 1):
            address = None
            if check:
                address = await check_public_url(
                    current, resolve=self.resolve, is_public=self.is_public
                )
            seen.add(current)
            result = await self._request(current, conditional if current == url else {}, address)
            if result.status not in _REDIRECTS:
                return result
            target = urljoin(current, result.url)
            if target in seen:
                raise FetchError(f"redirect loop at {target}")
            current = target
        raise FetchError(f"too many redirects (more than {self.config.max_redirects}) from {url}")

    async def _request(
        self, url: str, headers: dict[str, str], address: str | None = None
    ) -> FetchResult:
        """One GET; with `address`, connects to that checked IP instead of resolving again."""
        host = urlsplit(url).hostname or url
        target, extensions = url, {}
        if address is not None:
            target, pinned_headers, extensions = _pinned(url, address)
            headers = {**headers, **pinned_headers}
        try:
            async with self.client.stream(
                "GET", target, headers=headers, extensions=extensions
            ) as response:
                status = response.status_code
                if status in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {status} without a Location header from {host}")
                    return FetchResult(url=location, status=status)
                final_url = url if address is not None else str(response.url)
                if status == 304:
                    return FetchResult(url=final_url, status=status)
                if status >= 500:
                    raise _RetryableError(f"HTTP {status} from {host}")
                if status >= 400:
                    raise FetchError(f"HTTP {status} from {host}")
                body = await self._read_capped(response, host)
                return FetchResult(
                    url=final_url,
                    status=status,
                    body=body,
                    content_type=response.headers.get("content-type"),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise FetchError(f"cannot connect to {host}: {error or type(error).__name__}") from None
        except httpx.TimeoutException:
            raise _RetryableError(f"timed out reading from {host}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as error:
            raise _RetryableError(f"connection to {host} broke: {error}") from None
        except httpx.HTTPError as error:
            raise FetchError(f"cannot fetch {url}: {error or type(error).__name__}") from None

    async def _read_capped(self, response: httpx.Response, host: str) -> bytes:
        """Reads at most max_bytes, stopping the stream as soon as the cap is passed."""
        limit = self.config.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"response from {host} is larger than {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"response from {host} is larger than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def _pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL aimed at a checked IP, with the Host header and TLS name of the original host.

    Certificates are still verified against the host name (SNI), so pinning weakens nothing.
    """
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    host_header = parts.netloc.rpartition("@")[2]
    target = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    return target, {"Host": host_header}, {"sni_hostname": parts.hostname or ""}
