"""A fake OpenAI-compatible endpoint on 127.0.0.1: chat and embeddings; records requests."""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
from collections import deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

HANG_LIMIT_S = 10.0  # a hanging reply is released by close(); this only bounds a forgotten one


@dataclass(frozen=True)
class Completion:
    """A 200 chat completion whose message content is `content` (JSON-encode it yourself or not)."""

    content: str


@dataclass(frozen=True)
class RawBody:
    """A 200 response whose body is not a chat completion at all."""

    body: str


@dataclass(frozen=True)
class Status:
    """An HTTP error status."""

    code: int


@dataclass(frozen=True)
class Hang:
    """Never answers until the server closes: the client's timeout must fire."""


Reply = Completion | RawBody | Status | Hang


def completion_of(payload: dict[str, Any]) -> Completion:
    """A completion whose content is the JSON of payload, as a well-behaved model would send."""
    return Completion(json.dumps(payload, ensure_ascii=False))


def unused_base_url() -> str:
    """A loopback URL nobody listens on: the port was free a moment ago and is closed again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@dataclass(frozen=True)
class RecordedRequest:
    """What the client sent: path, headers and the parsed JSON body."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


EMBEDDING_DIM = 8


def fake_embedding(text: str) -> list[float]:
    """The fake's vector of a text: a fixed function of its bytes, so equal texts embed equal."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [byte / 255 - 0.5 for byte in digest[:EMBEDDING_DIM]]


class FakeOpenAI:
    """Serves `POST /v1/chat/completions` (replies from the queue in order) and
    `POST /v1/embeddings` (`fake_embedding` of each input, or the next scripted Status)."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._replies: deque[Reply] = deque()
        self._embedding_failures: deque[Status] = deque()
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def enqueue(self, *replies: Reply) -> None:
        """Scripts the next replies."""
        self._replies.extend(replies)

    def fail_embeddings(self, *statuses: Status) -> None:
        """The next embeddings requests answer these statuses instead of vectors."""
        self._embedding_failures.extend(statuses)

    async def _embeddings(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(
            RecordedRequest(path=request.path, headers=dict(request.headers), body=body)
        )
        if self._embedding_failures:
            status = self._embedding_failures.popleft()
            return web.json_response({"error": {"message": "scripted failure"}}, status=status.code)
        inputs = [body["input"]] if isinstance(body["input"], str) else body["input"]
        data = [
            {"object": "embedding", "index": index, "embedding": fake_embedding(text)}
            for index, text in reversed(list(enumerate(inputs)))  # order is the client's job
        ]
        return web.json_response({"object": "list", "data": data, "model": body["model"]})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(
                path=request.path, headers=dict(request.headers), body=await request.json()
            )
        )
        reply = self._replies.popleft() if self._replies else Status(503)
        if isinstance(reply, Hang):
            try:
                await asyncio.wait_for(self._released.wait(), HANG_LIMIT_S)
            except TimeoutError:
                pass
            return web.Response(status=504)
        if isinstance(reply, Status):
            return web.json_response({"error": {"message": "scripted failure"}}, status=reply.code)
        if isinstance(reply, RawBody):
            return web.Response(text=reply.body, content_type="text/plain")
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.content},
                        "finish_reason": "stop",
                    }
                ],
            }
        )

    async def start(self) -> str:
        """Listens on a free loopback port; returns the base URL clients should use."""
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self.base_url

    async def close(self) -> None:
        """Releases hanging handlers and stops the server."""
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeOpenAI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
