"""The fake Discord gateway websocket: HELLO, IDENTIFY/READY, RESUME, heartbeats, dispatches.

Sharding as Discord does it: IDENTIFY's `shard: [id, count]` (absent: `[0, 1]`) makes the
connection shard `id`; it gets READY and GUILD_CREATE for the guilds with
`(guild_id >> 22) % count == id` only, and each guild's events go to its shard's connection
(events without a guild, such as DMs, to shard 0).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .rest import Recorder
from .world import APP_ID, BOT_USER, World

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 9, 10, 11


@dataclass
class Session:
    """A gateway session of one shard: resumable while the fake remembers it."""

    session_id: str
    shard_id: int = 0
    shard_count: int = 1
    seq: int = 0

    def owns(self, guild_id: int | None) -> bool:
        """Whether Discord routes this guild's events (None: DMs) to this session's shard."""
        shard = 0 if guild_id is None else (guild_id >> 22) % self.shard_count
        return shard == self.shard_id


@dataclass
class GatewayLog:
    """What the client sent, by opcode, for tests to await on."""

    received: list[dict[str, Any]] = field(default_factory=list)
    dispatched: list[tuple[int, str, int | None]] = field(
        default_factory=list
    )  # shard, event, guild
    heartbeat_acks: int = 0
    readies: int = 0
    resumes: int = 0

    def ops(self, op: int) -> list[dict[str, Any]]:
        return [payload for payload in self.received if payload.get("op") == op]


class FakeGateway:
    """One live connection per shard, as Discord keeps one per IDENTIFYed shard."""

    def __init__(self, world: World, recorder: Recorder, heartbeat_interval_ms: int) -> None:
        self.world = world
        self.recorder = recorder
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.log = GatewayLog()
        self.resume_url = ""
        self.refuse_identify: int | None = None  # a close code for IDENTIFY (4014: intents)
        self._sessions: dict[str, Session] = {}
        self._session_ids = itertools.count(1)
        self._live: dict[int, tuple[web.WebSocketResponse, Session]] = {}  # by shard id

    @property
    def connected(self) -> bool:
        return any(not ws.closed for ws, _ in self._live.values())

    def shards(self) -> list[int]:
        """The shard ids with a live connection."""
        return sorted(shard for shard, (ws, _) in self._live.items() if not ws.closed)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """The websocket route: speaks until the client or the fake closes."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            self.log.received.append(payload)
            await self._on_payload(ws, payload)
            await self.recorder.poke()
        for shard, (live_ws, _) in list(self._live.items()):
            if live_ws is ws:
                del self._live[shard]
        await self.recorder.poke()
        return ws

    async def _on_payload(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        if op == HEARTBEAT:
            await ws.send_json({"op": HEARTBEAT_ACK, "d": None})
            self.log.heartbeat_acks += 1
        elif op == IDENTIFY and self.refuse_identify is not None:
            await ws.close(code=self.refuse_identify)
        elif op == IDENTIFY:
            shard_id, shard_count = payload["d"].get("shard") or (0, 1)
            if not 0 <= shard_id < shard_count:
                await ws.close(code=4010)  # Discord: invalid shard
                return
            session = Session(f"session-{next(self._session_ids)}", shard_id, shard_count)
            self._sessions[session.session_id] = session
            self._live[shard_id] = (ws, session)
            self.log.readies += 1
            await self.dispatch("READY", self._ready(session), shard=shard_id)
            for guild_id in self._guilds_of(session):
                await self.dispatch(
                    "GUILD_CREATE", self.world.guild_payload(guild_id), shard=shard_id
                )
        elif op == RESUME:
            session = self._sessions.get(payload["d"].get("session_id", ""))
            if session is None:
                await ws.send_json({"op": INVALID_SESSION, "d": False})
                return
            self._live[session.shard_id] = (ws, session)
            self.log.resumes += 1
            await self.dispatch("RESUMED", {}, shard=session.shard_id)

    def _guilds_of(self, session: Session) -> list[int]:
        return [guild_id for guild_id in self.world.guilds if session.owns(guild_id)]

    def _ready(self, session: Session) -> dict[str, Any]:
        return {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": str(g), "unavailable": True} for g in self._guilds_of(session)],
            "shard": [session.shard_id, session.shard_count],
            "session_id": session.session_id,
            "resume_gateway_url": self.resume_url,
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
        }

    async def dispatch(self, event: str, data: dict[str, Any], *, shard: int | None = None) -> None:
        """Sends a DISPATCH event on the connection of its guild's shard (or of `shard`)."""
        guild_id = int(data["guild_id"]) if data.get("guild_id") else None
        if shard is None:
            owners = [s for s, (_, session) in self._live.items() if session.owns(guild_id)]
            shard = owners[0] if owners else None
        if shard is None or shard not in self._live:
            raise RuntimeError(f"no live gateway connection for {event} (guild {guild_id})")
        ws, session = self._live[shard]
        session.seq += 1
        self.log.dispatched.append((shard, event, guild_id))
        await ws.send_json({"op": DISPATCH, "t": event, "s": session.seq, "d": data})

    async def drop(self, code: int, *, shard: int | None = None) -> None:
        """Closes live connections (all, or one shard's) with a close code (4000: resumable)."""
        for live_shard in [shard] if shard is not None else list(self._live):
            live = self._live.pop(live_shard, None)
            if live is not None:
                await live[0].close(code=code)

    async def close_all(self) -> None:
        """Ends every live connection at shutdown."""
        await self.drop(1001)
