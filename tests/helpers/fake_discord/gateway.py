"""The fake Discord gateway websocket: HELLO, IDENTIFY/READY, RESUME, heartbeats, dispatches."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .rest import Recorder
from .world import APP_ID, BOT_USER, GUILD_ID, World

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 9, 10, 11


@dataclass
class Session:
    """A gateway session: resumable while the fake remembers it."""

    session_id: str
    seq: int = 0


@dataclass
class GatewayLog:
    """What the client sent, by opcode, for tests to await on."""

    received: list[dict[str, Any]] = field(default_factory=list)
    heartbeat_acks: int = 0
    readies: int = 0
    resumes: int = 0

    def ops(self, op: int) -> list[dict[str, Any]]:
        return [payload for payload in self.received if payload.get("op") == op]


class FakeGateway:
    """One live connection at a time, as a single-shard bot has."""

    def __init__(self, world: World, recorder: Recorder, heartbeat_interval_ms: int) -> None:
        self.world = world
        self.recorder = recorder
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.log = GatewayLog()
        self.resume_url = ""
        self.refuse_identify: int | None = None  # a close code for IDENTIFY (4014: intents)
        self._sessions: dict[str, Session] = {}
        self._session_ids = itertools.count(1)
        self._live: tuple[web.WebSocketResponse, Session] | None = None

    @property
    def connected(self) -> bool:
        return self._live is not None and not self._live[0].closed

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
        if self._live is not None and self._live[0] is ws:
            self._live = None
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
            session = Session(f"session-{next(self._session_ids)}")
            self._sessions[session.session_id] = session
            self._live = (ws, session)
            self.log.readies += 1
            await self.dispatch("READY", self._ready(session))
            await self.dispatch("GUILD_CREATE", self.world.guild_payload())
        elif op == RESUME:
            session = self._sessions.get(payload["d"].get("session_id", ""))
            if session is None:
                await ws.send_json({"op": INVALID_SESSION, "d": False})
                return
            self._live = (ws, session)
            self.log.resumes += 1
            await self.dispatch("RESUMED", {})

    def _ready(self, session: Session) -> dict[str, Any]:
        return {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": session.session_id,
            "resume_gateway_url": self.resume_url,
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
        }

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Sends a DISPATCH event on the live connection."""
        if self._live is None:
            raise RuntimeError("no live gateway connection to dispatch on")
        ws, session = self._live
        session.seq += 1
        await ws.send_json({"op": DISPATCH, "t": event, "s": session.seq, "d": data})

    async def drop(self, code: int) -> None:
        """Closes the live connection with a close code (4000: resumable, as Discord restarts do)."""
        if self._live is not None:
            ws, _ = self._live
            self._live = None
            await ws.close(code=code)

    async def close_all(self) -> None:
        """Ends the live connection at shutdown."""
        await self.drop(1001)
