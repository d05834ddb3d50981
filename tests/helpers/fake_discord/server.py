"""`FakeDiscord`: REST under /api/v10 and the gateway websocket on one 127.0.0.1 port."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .gateway import FakeGateway
from .rest import API_PREFIX, Call, Failure, FakeRest, Recorder
from .world import (
    ADMIN_PERMISSIONS,
    ADMIN_USER,
    APP_ID,
    GUILD_ID,
    READER_PERMISSIONS,
    READER_USER,
    TEXT_CHANNEL_ID,
    World,
    member,
)

WAIT_S = 5.0
STRING_OPTION = 3
CHANNEL_OPTION = 7


@dataclass(frozen=True)
class FakeAddress:
    """Where a fake Discord listens, as a client is configured: its REST base and gateway URL.

    Also what a benchmark holds of a fake running in another process (only its port).
    """

    port: int

    @property
    def api_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"


class FakeDiscord:
    """A Discord stand-in the real discord.py client talks to; tests drive and inspect it."""

    def __init__(self, *, heartbeat_interval_ms: int = 45_000) -> None:
        self.world = World()
        self.recorder = Recorder()
        self.rest = FakeRest(self.world, self.recorder, lambda: self.gateway_url)
        self.gateway = FakeGateway(self.world, self.recorder, heartbeat_interval_ms)
        self.rest.on_thread = self._announce_thread
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def api_base_url(self) -> str:
        return FakeAddress(self.port).api_base_url

    @property
    def gateway_url(self) -> str:
        return FakeAddress(self.port).gateway_url

    async def start(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self.rest.dispatch)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.gateway.resume_url = self.gateway_url

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _announce_thread(self, thread: dict[str, Any]) -> None:
        if self.gateway.connected:
            await self.gateway.dispatch("THREAD_CREATE", thread)

    # --- inspection -------------------------------------------------------------------------

    def calls(self, method: str, pattern: str) -> list[Call]:
        """Recorded REST calls; `pattern` is a regex on the path after /api/v10."""
        return self.rest.calls(method, pattern)

    def sent(self, channel_id: int) -> list[dict[str, Any]]:
        """Bodies of messages accepted for a channel (2xx only)."""
        path = rf"/channels/{channel_id}/messages"
        return [c.body for c in self.calls("POST", path) if c.status == 200]

    def edits(self, channel_id: int) -> list[dict[str, Any]]:
        """Bodies of message edits accepted in a channel (2xx only)."""
        path = rf"/channels/{channel_id}/messages/\d+"
        return [c.body for c in self.calls("PATCH", path) if c.status == 200]

    def images(self, channel_id: int) -> list[str]:
        """Embed image URLs the channel's messages show now, oldest message first."""
        return self.world.images(channel_id)

    async def wait_for(self, predicate: Any, limit_s: float = WAIT_S) -> Any:
        """Awaits a condition on recorded traffic; raises TimeoutError when it never holds."""
        return await self.recorder.wait_for(predicate, limit_s)

    async def wait_calls(self, method: str, pattern: str, count: int = 1) -> list[Call]:
        """Awaits at least `count` calls matching method and path regex."""
        await self.wait_for(lambda: len(self.calls(method, pattern)) >= count)
        return self.calls(method, pattern)

    # --- driving ----------------------------------------------------------------------------

    def refuse_image(self, url: str) -> None:
        """Discord will not take this embed image URL: a message using it gets 400."""
        self.rest.refused_images.add(url)

    def fail(self, method: str, path: str, status: int, **options: Any) -> None:
        """Injects an error answer for the next matching request(s)."""
        self.rest.failures.append(Failure(method, path, status, **options))

    async def interaction(
        self,
        name: str,
        options: dict[str, str | int] | None = None,
        *,
        channel_id: int = TEXT_CHANNEL_ID,
        admin: bool = False,
        locale: str = "en-US",
    ) -> str:
        """Dispatches a slash command use; returns its token. Int option values are channel ids.

        It happens in the channel's guild, so it reaches that guild's shard.
        """
        guild_id = self.world.guild_of(channel_id) or GUILD_ID
        interaction_id = self.world.next_id()
        token = f"itoken-{interaction_id}"
        self.rest.interaction_channels[token] = channel_id
        who = member(
            ADMIN_USER if admin else READER_USER,
            permissions=ADMIN_PERMISSIONS if admin else READER_PERMISSIONS,
        )
        data: dict[str, Any] = {
            "id": self._command_id(name),
            "name": name,
            "type": 1,
            "options": [],
        }
        for key, value in (options or {}).items():
            kind = CHANNEL_OPTION if isinstance(value, int) else STRING_OPTION
            data["options"].append({"name": key, "type": kind, "value": str(value)})
            if kind == CHANNEL_OPTION:
                channel = {**self.world.channels[int(value)], "permissions": str(ADMIN_PERMISSIONS)}
                data.setdefault("resolved", {"channels": {}})["channels"][str(value)] = channel
        await self.gateway.dispatch(
            "INTERACTION_CREATE",
            {
                "id": str(interaction_id),
                "application_id": str(APP_ID),
                "type": 2,
                "data": data,
                "guild_id": str(guild_id),
                "channel_id": str(channel_id),
                "channel": self.world.channels[channel_id],
                "member": who,
                "token": token,
                "version": 1,
                "locale": locale,
                "guild_locale": "en-US",
                "app_permissions": str(ADMIN_PERMISSIONS),
                "entitlements": [],
                "attachment_size_limit": 10 * 1024 * 1024,
                "authorizing_integration_owners": {"0": str(guild_id)},
                "context": 0,
            },
        )
        return token

    def _command_id(self, name: str) -> str:
        for commands in self.rest.commands.values():
            for command in commands:
                if command["name"] == name:
                    return str(command["id"])
        return "0"

    async def user_message(
        self, channel_id: int, content: str, *, reply_to: int | None = None
    ) -> dict[str, Any]:
        """A reader's message in a channel, optionally replying to a stored message."""
        body: dict[str, Any] = {"content": content}
        if reply_to is not None:
            body["message_reference"] = {
                "message_id": str(reply_to),
                "channel_id": str(channel_id),
                "guild_id": str(self.world.guild_of(channel_id) or GUILD_ID),
            }
        payload = self.world.message_payload(channel_id, body, READER_USER)
        payload["member"] = {k: v for k, v in member(READER_USER).items() if k != "user"}
        if reply_to is not None:
            payload["referenced_message"] = self.world.messages[reply_to]
        await self.gateway.dispatch("MESSAGE_CREATE", payload)
        return payload

    def followups(self, token: str) -> list[Call]:
        """Followup messages and edits of the original response for one interaction."""
        path = rf"/webhooks/{APP_ID}/{token}(/messages/@original)?"
        return self.calls("POST", path) + self.calls("PATCH", path)
