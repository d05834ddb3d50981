"""The fake Discord REST API (v10): records every call, checks message limits, injects failures."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .world import APP_ID, BOT_USER, DM, FORUM, World, user

API_PREFIX = "/api/v10"
VALID_TOKEN = "fake-discord-token"
JSON = "application/json"  # discord.py parses a body only when the content type is exactly this

# Discord's documented limits, checked like Discord checks them (400 Invalid Form Body).
CONTENT_MAX = 2000
EMBEDS_MAX = 10
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FOOTER_MAX = 2048
AUTHOR_MAX = 256
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
EMBEDS_TOTAL_MAX = 6000
THREAD_NAME_MAX = 100


@dataclass(frozen=True)
class Call:
    """One REST request as the client sent it."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class Failure:
    """An injected error answer for requests matching method and path (a regex)."""

    method: str
    path: str
    status: int
    times: int = 1
    retry_after: float = 0.05
    is_global: bool = False


@dataclass
class Recorder:
    """Calls in order; waiters are woken on every new one."""

    calls: list[Call] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def add(self, call: Call) -> None:
        async with self.changed:
            self.calls.append(call)
            self.changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], limit_s: float) -> Any:
        """Awaits until predicate() is truthy (re-checked on every recorded event)."""
        async with self.changed:
            return await asyncio.wait_for(self.changed.wait_for(predicate), limit_s)

    async def poke(self) -> None:
        """Wakes waiters after a non-REST event (gateway traffic)."""
        async with self.changed:
            self.changed.notify_all()


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON answer with the exact content type discord.py requires (aiohttp's `text=` adds a charset)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": JSON, **(headers or {})},
    )


def limit_errors(body: dict[str, Any]) -> list[str]:
    """Which of Discord's message limits this body breaks (empty when it is valid)."""
    errors = []
    if len(body.get("content") or "") > CONTENT_MAX:
        errors.append("content")
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        errors.append("embeds")
    total = 0
    for embed in embeds:
        title = embed.get("title") or ""
        description = embed.get("description") or ""
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        fields = embed.get("fields") or []
        checks = [
            (title, TITLE_MAX, "title"),
            (description, DESCRIPTION_MAX, "description"),
            (footer, FOOTER_MAX, "footer.text"),
            (author, AUTHOR_MAX, "author.name"),
        ]
        checks += [(f.get("name") or "", FIELD_NAME_MAX, "fields.name") for f in fields]
        checks += [(f.get("value") or "", FIELD_VALUE_MAX, "fields.value") for f in fields]
        errors += [f"embeds.{name}" for text, limit, name in checks if len(text) > limit]
        if len(fields) > FIELDS_MAX:
            errors.append("embeds.fields")
        total += sum(len(text) for text, _, _ in checks)
    if total > EMBEDS_TOTAL_MAX:
        errors.append("embeds.total")
    if not body.get("content") and not embeds:
        errors.append("empty message")
    return errors


Handler = Callable[[web.Request, Any], Awaitable[web.Response]]


class FakeRest:
    """Route table and behaviour of the REST half."""

    def __init__(self, world: World, recorder: Recorder, gateway_url: Callable[[], str]) -> None:
        self.world = world
        self.recorder = recorder
        self.failures: list[Failure] = []
        self.refused_images: set[str] = set()  # embed image URLs answered with 400
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.interaction_channels: dict[str, int] = {}  # interaction token -> channel id
        self._gateway_url = gateway_url
        self.on_thread: Callable[[dict[str, Any]], Awaitable[None]] | None = None  # THREAD_CREATE
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"/users/@me"), self._me),
            ("GET", re.compile(r"/oauth2/applications/@me"), self._application),
            ("GET", re.compile(r"/gateway(/bot)?"), self._gateway),
            ("PUT", re.compile(r"/applications/(\d+)(/guilds/\d+)?/commands"), self._sync),
            ("POST", re.compile(r"/interactions/(\d+)/([^/]+)/callback"), self._callback),
            ("POST", re.compile(r"/webhooks/(\d+)/([^/]+)"), self._followup),
            ("PATCH", re.compile(r"/webhooks/(\d+)/([^/]+)/messages/@original"), self._followup),
            ("POST", re.compile(r"/channels/(\d+)/messages"), self._send),
            ("PATCH", re.compile(r"/channels/(\d+)/messages/(\d+)"), self._edit),
            ("POST", re.compile(r"/channels/(\d+)/threads"), self._thread),
            ("POST", re.compile(r"/channels/(\d+)/messages/(\d+)/threads"), self._message_thread),
            ("GET", re.compile(r"/channels/(\d+)"), self._channel),
            ("POST", re.compile(r"/users/@me/channels"), self._dm),
        ]

    def calls(self, method: str, pattern: str) -> list[Call]:
        """Successful and failed calls whose path fully matches the regex."""
        rx = re.compile(pattern)
        return [c for c in self.recorder.calls if c.method == method and rx.fullmatch(c.path)]

    async def dispatch(self, request: web.Request) -> web.Response:
        """Entry point for every /api/v10 request."""
        path = request.path.removeprefix(API_PREFIX)
        raw = await request.read()
        body = json.loads(raw) if raw and request.content_type == JSON else None
        response = await self._answer(request, path, body)
        call = Call(request.method, path, dict(request.query), body, response.status)
        await self.recorder.add(call)
        return response

    async def _answer(self, request: web.Request, path: str, body: Any) -> web.Response:
        if request.headers.get("Authorization") not in (f"Bot {VALID_TOKEN}", None):
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        failure = self._take_failure(request.method, path)
        if failure is not None:
            return _failure_response(failure)
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if method == request.method and match:
                return await handler(request, (match, body))
        return json_response({"message": "404: Not Found", "code": 0}, 404)

    def _take_failure(self, method: str, path: str) -> Failure | None:
        for failure in self.failures:
            if failure.method == method and re.fullmatch(failure.path, path) and failure.times:
                failure.times -= 1
                return failure
        return None

    async def _me(self, request: web.Request, _: Any) -> web.Response:
        return json_response(BOT_USER)

    async def _application(self, request: web.Request, _: Any) -> web.Response:
        return json_response(
            {
                "id": str(APP_ID),
                "name": "khulasa",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": user(1, "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def _gateway(self, request: web.Request, _: Any) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_response(
            {"url": self._gateway_url(), "shards": 1, "session_start_limit": limit}
        )

    async def _sync(self, request: web.Request, arg: Any) -> web.Response:
        match, body = arg
        scope = match.group(2) or "global"
        answered = [
            {
                **command,
                "id": str(self.world.next_id()),
                "application_id": str(APP_ID),
                "version": "1",
            }
            for command in body
        ]
        for command in answered:
            command.setdefault("type", 1)
            command.setdefault("options", [])
            command.setdefault("default_member_permissions", None)
            command.setdefault("dm_permission", True)
            command.setdefault("nsfw", False)
        self.commands[scope] = answered
        return json_response(answered)

    async def _callback(self, request: web.Request, arg: Any) -> web.Response:
        match, body = arg
        interaction_id, token = match.group(1), match.group(2)
        kind = body["type"]
        data = body.get("data") or {}
        errors = self.body_errors(data) if kind == 4 else []
        if errors:
            return _form_error(errors)
        resource: dict[str, Any] = {"type": kind}
        if kind == 4:
            channel_id = self.interaction_channels.get(token, 0)
            resource["message"] = self.world.message_payload(channel_id, data, BOT_USER)
        interaction = {
            "id": interaction_id,
            "type": 2,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(data.get("flags", 0) & 64),
        }
        return json_response({"interaction": interaction, "resource": resource})

    async def _followup(self, request: web.Request, arg: Any) -> web.Response:
        match, body = arg
        errors = self.body_errors(body)
        if errors:
            return _form_error(errors)
        channel_id = self.interaction_channels.get(match.group(2), 0)
        return json_response(self.world.message_payload(channel_id, body, BOT_USER))

    async def _send(self, request: web.Request, arg: Any) -> web.Response:
        match, body = arg
        channel_id = int(match.group(1))
        if channel_id not in self.world.channels:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        errors = self.body_errors(body)
        if errors:
            return _form_error(errors)
        return json_response(self.world.message_payload(channel_id, body, BOT_USER))

    async def _edit(self, request: web.Request, arg: Any) -> web.Response:
        match, body = arg
        channel_id, message_id = int(match.group(1)), int(match.group(2))
        if channel_id not in self.world.channels:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        message = self.world.messages.get(message_id)
        if message is None or message["channel_id"] != str(channel_id):
            return json_response({"message": "Unknown Message", "code": 10008}, 404)
        if message["author"]["id"] != BOT_USER["id"]:
            return json_response(
                {"message": "Cannot edit a message authored by another user", "code": 50005}, 403
            )
        errors = self.body_errors({**message, **body})
        if errors:
            return _form_error(errors)
        return json_response(self.world.edit_message(message_id, body))

    def body_errors(self, body: dict[str, Any]) -> list[str]:
        """Discord's limits, and embed images it refuses (a URL set in `refused_images`)."""
        errors = limit_errors(body)
        for index, embed in enumerate(body.get("embeds") or []):
            url = (embed.get("image") or {}).get("url")
            if url is not None and (url in self.refused_images or not _is_web_url(url)):
                errors.append(f"embeds.{index}.image.url")
        return errors

    async def _thread(self, request: web.Request, arg: Any) -> web.Response:
        match, body = arg
        parent_id = int(match.group(1))
        parent = self.world.channels.get(parent_id)
        if parent is None:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        message = body.get("message")
        errors = self.body_errors(message) if parent["type"] == FORUM and message else []
        if parent["type"] == FORUM and not message:
            errors.append("message")
        if not body.get("name") or len(body["name"]) > THREAD_NAME_MAX:
            errors.append("name")
        if errors:
            return _form_error(errors)
        thread = await self._new_thread(parent_id, body["name"], self.world.next_id())
        if message:  # a forum post: its starter message has the thread's id, as on Discord
            thread["message"] = self.world.message_payload(
                int(thread["id"]), message, BOT_USER, message_id=int(thread["id"])
            )
        return json_response(thread)

    async def _message_thread(self, request: web.Request, arg: Any) -> web.Response:
        match, body = arg
        if not body.get("name") or len(body["name"]) > THREAD_NAME_MAX:
            return _form_error(["name"])
        parent_id, message_id = int(match.group(1)), int(match.group(2))
        return json_response(await self._new_thread(parent_id, body["name"], message_id))

    async def _new_thread(self, parent_id: int, name: str, thread_id: int) -> dict[str, Any]:
        """A thread in the world, announced on the gateway as Discord does.

        Its id is its starter message's (Discord's rule for message threads and forum posts).
        """
        thread = self.world.thread_payload(thread_id, parent_id, name)
        self.world.channels[thread_id] = thread
        if self.on_thread is not None:
            await self.on_thread({**thread, "newly_created": True})
        return dict(thread)

    async def _channel(self, request: web.Request, arg: Any) -> web.Response:
        match, _ = arg
        channel = self.world.channels.get(int(match.group(1)))
        if channel is None:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        return json_response(channel)

    async def _dm(self, request: web.Request, arg: Any) -> web.Response:
        _, body = arg
        channel_id = self.world.next_id()
        recipient = user(int(body["recipient_id"]), f"user{body['recipient_id']}")
        channel = {
            "id": str(channel_id),
            "type": DM,
            "recipients": [recipient],
            "last_message_id": None,
        }
        self.world.channels[channel_id] = channel
        return json_response(channel)


def _is_web_url(url: str) -> bool:
    """Discord takes only http(s) URLs (and its own attachment:// ones) for embed images."""
    return url.startswith(("http://", "https://", "attachment://"))


def _form_error(errors: list[str]) -> web.Response:
    body = {"message": "Invalid Form Body", "code": 50035, "errors": {e: {} for e in errors}}
    return json_response(body, 400)


def _failure_response(failure: Failure) -> web.Response:
    if failure.status == 429:
        body = {
            "message": "You are being rate limited.",
            "retry_after": failure.retry_after,
            "global": failure.is_global,
        }
        headers = {"Via": "1.1 google", "Retry-After": str(failure.retry_after)}
        return json_response(body, 429, headers)
    codes = {403: 50013, 401: 0, 404: 10003}
    body = {"message": f"{failure.status}: injected", "code": codes.get(failure.status, 0)}
    return json_response(body, failure.status)
