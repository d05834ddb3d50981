"""The fake Discord's world: a guild with a text channel, a forum, a thread, roles and members.

Tests of sharding add more guilds (`add_guild`), each with a text channel of its own.

Payload shapes follow Discord's API v10 closely enough for discord.py 2.x to parse them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

APP_ID = 900000000000000001
BOT_ID = 900000000000000002
GUILD_ID = 900000000000000010
TEXT_CHANNEL_ID = 900000000000000020
FORUM_CHANNEL_ID = 900000000000000021
THREAD_ID = 900000000000000022
OTHER_CHANNEL_ID = 900000000000000023
ADMIN_ID = 900000000000000030  # has Manage Server
READER_ID = 900000000000000031  # plain member
ADMIN_ROLE_ID = 900000000000000040

MANAGE_GUILD = 1 << 5
SEND_MESSAGES = 1 << 11
READER_PERMISSIONS = SEND_MESSAGES | (1 << 10)  # view channel + send
ADMIN_PERMISSIONS = READER_PERMISSIONS | MANAGE_GUILD

TEXT, DM, FORUM, PUBLIC_THREAD = 0, 1, 15, 11


def now_iso() -> str:
    """Discord's ISO-8601 timestamps."""
    return datetime.now(UTC).isoformat()


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A user object."""
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
    }


BOT_USER = user(BOT_ID, "khulasa", bot=True)
ADMIN_USER = user(ADMIN_ID, "admin")
READER_USER = user(READER_ID, "reader")


def member(user_payload: dict[str, Any], *, permissions: int | None = None) -> dict[str, Any]:
    """A guild member; interaction members also carry their resolved permissions."""
    payload: dict[str, Any] = {
        "user": user_payload,
        "roles": [str(ADMIN_ROLE_ID)] if user_payload["id"] == str(ADMIN_ID) else [],
        "joined_at": now_iso(),
        "deaf": False,
        "mute": False,
        "flags": 0,
    }
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


@dataclass
class World:
    """Channels, messages and id allocation shared by the REST and gateway halves."""

    channels: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    guilds: dict[int, str] = field(default_factory=lambda: {GUILD_ID: "Test guild"})
    _ids: itertools.count = field(default_factory=lambda: itertools.count(910000000000000000))

    def __post_init__(self) -> None:
        self.channels[TEXT_CHANNEL_ID] = self._guild_channel(TEXT_CHANNEL_ID, TEXT, "news")
        self.channels[OTHER_CHANNEL_ID] = self._guild_channel(OTHER_CHANNEL_ID, TEXT, "general")
        self.channels[FORUM_CHANNEL_ID] = self._guild_channel(FORUM_CHANNEL_ID, FORUM, "articles")
        self.channels[THREAD_ID] = self.thread_payload(THREAD_ID, TEXT_CHANNEL_ID, "discussion")

    def next_id(self) -> int:
        """A fresh snowflake."""
        return next(self._ids)

    def add_guild(self, guild_id: int, name: str, channel_id: int) -> None:
        """Another guild the bot is in, with one text channel."""
        self.guilds[guild_id] = name
        self.channels[channel_id] = self._guild_channel(channel_id, TEXT, "news", guild_id)

    def guild_of(self, channel_id: int) -> int | None:
        """The guild a channel belongs to (None: a DM or unknown channel)."""
        guild_id = self.channels.get(channel_id, {}).get("guild_id")
        return int(guild_id) if guild_id else None

    @staticmethod
    def _guild_channel(
        channel_id: int, kind: int, name: str, guild_id: int = GUILD_ID
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(channel_id),
            "type": kind,
            "guild_id": str(guild_id),
            "name": name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if kind == FORUM:
            payload.update(available_tags=[], default_reaction_emoji=None, default_forum_layout=0)
        return payload

    @staticmethod
    def thread_payload(thread_id: int, parent_id: int, name: str) -> dict[str, Any]:
        """A public thread (also what a forum post is)."""
        return {
            "id": str(thread_id),
            "type": PUBLIC_THREAD,
            "guild_id": str(GUILD_ID),
            "parent_id": str(parent_id),
            "owner_id": str(BOT_ID),
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": now_iso(),
                "locked": False,
            },
        }

    def guild_payload(self, guild_id: int = GUILD_ID) -> dict[str, Any]:
        """GUILD_CREATE data: channels, threads, roles and members."""
        mine = [c for c in self.channels.values() if c.get("guild_id") == str(guild_id)]
        guild_channels = [c for c in mine if c["type"] in (TEXT, FORUM)]
        threads = [c for c in mine if c["type"] == PUBLIC_THREAD]
        return {
            "id": str(guild_id),
            "name": self.guilds[guild_id],
            "icon": None,
            "owner_id": str(ADMIN_ID),
            "unavailable": False,
            "large": False,
            "member_count": 3,
            "features": [],
            "emojis": [],
            "stickers": [],
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "roles": [
                _role(guild_id, "@everyone", READER_PERMISSIONS, 0),
                _role(ADMIN_ROLE_ID, "admins", ADMIN_PERMISSIONS, 1),
            ],
            "channels": guild_channels,
            "threads": threads,
            "members": [member(BOT_USER), member(ADMIN_USER), member(READER_USER)],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "joined_at": now_iso(),
        }

    def message_payload(
        self,
        channel_id: int,
        body: dict[str, Any],
        author: dict[str, Any],
        *,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        """Stores a message as Discord would echo it back (a fresh id unless given)."""
        message_id = message_id or self.next_id()
        channel = self.channels.get(channel_id, {})
        payload: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": author,
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": mentions_everyone(body),
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 19 if body.get("message_reference") else 0,
            "flags": 0,
            "components": [],
        }
        if "guild_id" in channel:
            payload["guild_id"] = channel["guild_id"]
        if body.get("message_reference"):
            payload["message_reference"] = body["message_reference"]
        self.messages[message_id] = payload
        return payload

    def edit_message(self, message_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Applies a PATCH: the fields it names replace the stored ones; the edit is stamped."""
        payload = self.messages[message_id]
        for key in ("content", "embeds", "components", "flags"):
            if key in body:
                payload[key] = body[key] if body[key] is not None else _EMPTY[key]
        payload["edited_timestamp"] = now_iso()
        return payload

    def images(self, channel_id: int) -> list[str]:
        """The embed image URLs of the messages now in a channel (edits applied), oldest first."""
        return [
            embed["image"]["url"]
            for message in self.messages.values()
            if message["channel_id"] == str(channel_id)
            for embed in message["embeds"]
            if (embed.get("image") or {}).get("url")
        ]


_EMPTY: dict[str, Any] = {"content": "", "embeds": [], "components": [], "flags": 0}


def mentions_everyone(body: dict[str, Any]) -> bool:
    """Whether Discord would ping @everyone for this message body (default: parse everything)."""
    text = body.get("content") or ""
    if "@everyone" not in text and "@here" not in text:
        return False
    allowed = body.get("allowed_mentions")
    return allowed is None or "everyone" in allowed.get("parse", [])


def _role(role_id: int, name: str, permissions: int, position: int) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
