"""A feed server on 127.0.0.1 for tests: serves fixture files, records requests, injects failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"


@dataclass(slots=True)
class Route:
    """What one path answers: a body, or a status sequence consumed one request at a time."""

    body: bytes = b""
    content_type: str = "application/rss+xml"
    etag: str | None = None
    statuses: list[int] = field(default_factory=list)  # e.g. [500] then the body
    delay: float = 0.0
    location: str | None = None
    stream_bytes: int = 0  # a generated body of this size, streamed lazily


@dataclass(frozen=True, slots=True)
class Request:
    path: str
    headers: dict[str, str]


class FeedServer:
    """Routes set by tests; every request is recorded before it is answered."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._server = TestServer(app, host="127.0.0.1")

    async def start(self) -> None:
        await self._server.start_server()

    async def close(self) -> None:
        await self._server.close()

    def url(self, path: str) -> str:
        return str(self._server.make_url(path))

    def serve(self, path: str, **route: object) -> str:
        """Answers `path` with `Route(**route)`; returns its absolute URL."""
        self.routes[path] = Route(**route)  # type: ignore[arg-type]
        return self.url(path)

    def serve_file(self, path: str, fixture: str, **route: object) -> str:
        """Answers `path` with a fixture file from tests/fixtures/feeds/."""
        return self.serve(path, body=(FIXTURES / fixture).read_bytes(), **route)

    def hits(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Request(request.path, dict(request.headers)))
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404)
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.statuses:
            return web.Response(status=route.statuses.pop(0))
        if route.location is not None:
            return web.Response(status=302, headers={"Location": route.location})
        if route.etag and request.headers.get("If-None-Match") == route.etag:
            return web.Response(status=304)
        if route.stream_bytes:
            return await self._stream(request, route.stream_bytes)
        headers = {"ETag": route.etag} if route.etag else {}
        return web.Response(
            body=route.body, headers={**headers, "Content-Type": route.content_type}
        )

    async def _stream(self, request: web.Request, size: int) -> web.StreamResponse:
        """A huge body generated chunk by chunk; stops quietly when the client hangs up."""
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        chunk = b"<!-- padding -->" * 4096
        sent = 0
        try:
            while sent < size:
                await response.write(chunk)
                sent += len(chunk)
        except (ConnectionResetError, RuntimeError):
            return response
        await response.write_eof()
        return response


async def feed_server() -> AsyncIterator[FeedServer]:
    """Fixture body: a started server, closed afterwards."""
    server = FeedServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()
