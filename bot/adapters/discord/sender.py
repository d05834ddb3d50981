"""The core's `Sender` on Discord: channels, threads and forums as destinations; admin DMs.

A post's picture is its embed's image; one Discord refuses is dropped and the post sent again
without it, in the same send, so one post is still one message (ADR 017). A story's post is
edited in place (its embed, picture kept) as sources join, never sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import discord

from bot.adapters.discord.embeds import NO_MENTIONS, post_embed, text_chunks, thread_name
from bot.adapters.discord.errors import delivery_errors
from bot.adapters.discord.settings import PLATFORM as SPEC
from bot.adapters.discord.shards import OtherShard, Shards
from bot.core import DestinationForbidden, Post, TransientDeliveryError
from bot.core.types import ChatKind, Destination, EditOutcome
from bot.errors import DeliveryError

log = logging.getLogger(__name__)
T = TypeVar("T")

PLATFORM = SPEC.name
INVALID_FORM_BODY = 50035  # Discord's code for a field it will not take, an embed image among them


def refused_picture(error: discord.HTTPException) -> bool:
    """A 400 about the message's form: nothing was posted, so sending it again cannot double."""
    return error.status == 400 and error.code == INVALID_FORM_BODY


def destination_of(channel: Any) -> Destination:
    """A Discord channel as the core's destination; a thread keeps its parent as the chat."""
    if isinstance(channel, discord.Thread):
        return Destination(PLATFORM, str(channel.parent_id), str(channel.id), ChatKind.THREAD)
    if isinstance(channel, discord.ForumChannel):
        return Destination(PLATFORM, str(channel.id), kind=ChatKind.FORUM)
    if isinstance(channel, discord.DMChannel):
        return Destination(PLATFORM, str(channel.id), kind=ChatKind.PRIVATE)
    return Destination(PLATFORM, str(channel.id), kind=ChatKind.CHANNEL)


class DiscordSender:
    """Posts summaries as embeds (a forum gets one post per article) and text, mentions off."""

    platform = PLATFORM

    def __init__(
        self,
        client: discord.Client,
        admin_ids: Iterable[int],
        shards: Shards | None = None,
        *,
        images: bool = True,
        max_listed: int | None = None,
    ) -> None:
        self.client = client
        self.admin_ids = tuple(admin_ids)
        self.shards = shards
        self.images = images  # discord.images, else posts.images
        self.max_listed = max_listed  # stories.max_listed_sources; None: as many as fit
        self._guild_of: dict[int, int | None] = {}  # channel id -> guild id (None: a DM)

    async def serves(self, dest: Destination) -> bool:
        """Whether this process delivers there: always unsharded, else its shards' guilds only."""
        if self.shards is None:
            return True
        async with delivery_errors(f"channel {dest.chat_id}"):
            return self.shards.owns_guild(await self._guild_id(dest))

    async def send_post(self, dest: Destination, post: Post, language: str) -> str:
        """One summary with its picture (without it if Discord refuses it); the message's id."""
        async with delivery_errors(f"post to {dest.chat_id}"):
            channel = await self._channel(dest)
            return await self._embedded(
                dest, post, language, lambda embed: self._post(channel, post, embed)
            )

    async def edit_post(
        self, dest: Destination, message_id: str, post: Post, language: str
    ) -> EditOutcome:
        """Makes a sent post's embed show `post` now (its story's sources), its picture kept.

        The message is edited by id through the channel, thread or forum post it was sent to,
        with nothing fetched first. A message, thread or access that is gone (404, 403) or an
        edit Discord refuses (4xx) is dropped; 429, 5xx and network failures are retried later.
        Discord has no "not modified": an edit to the same embed is simply edited.
        """
        where = (message_id, dest.chat_id, post.story_id, len(post.also))
        message = self.client.get_partial_messageable(self._edited_channel(dest, message_id))
        partial = message.get_partial_message(int(message_id))
        try:
            if not await self.serves(dest):  # the process of that guild's shard edits it
                raise OtherShard(f"channel {dest.chat_id} is served by another shard's process")
            async with delivery_errors(f"edit of {message_id} in {dest.chat_id}"):
                await self._embedded(
                    dest,
                    post,
                    language,
                    lambda embed: partial.edit(embed=embed, allowed_mentions=NO_MENTIONS),
                )
        except OtherShard:
            raise  # not ours: no line, the core leaves it to the owning process
        except TransientDeliveryError as error:
            log.warning(
                "edit of post %s in channel %s of story %s (%d other sources) failed for now (%s)",
                *where,
                error,
            )
            raise
        except (DestinationForbidden, discord.HTTPException) as error:  # 404/403, other 4xx
            log.warning(
                "post %s in channel %s of story %s (%d other sources) cannot be edited (%s); "
                "dropped",
                *where,
                error,
            )
            return EditOutcome.GONE
        log.info("edited post %s in channel %s of story %s: %d other sources", *where)
        return EditOutcome.EDITED

    @staticmethod
    def _edited_channel(dest: Destination, message_id: str) -> int:
        """Where a post lives: its thread, the channel, or the forum post it opened (same id)."""
        if dest.kind is ChatKind.FORUM:
            return int(message_id)  # a forum post's starter message has its thread's id
        return int(dest.thread_id or dest.chat_id)

    async def _embedded(
        self,
        dest: Destination,
        post: Post,
        language: str,
        deliver: Callable[[discord.Embed], Awaitable[T]],
    ) -> T:
        """`deliver` with the post's embed and picture; once more without a picture Discord refuses.

        A refused form (400) posted and changed nothing, so the second try cannot double a post.
        """
        picture = post.image_url if self.images else None
        if picture:
            try:
                return await deliver(post_embed(post, language, picture, self.max_listed))
            except discord.HTTPException as error:
                if not refused_picture(error):
                    raise
                log.warning(
                    "Discord refused picture %s of article %s in channel %s (%s); "
                    "sending without it",
                    picture,
                    post.article_id,
                    dest.chat_id,
                    error.text,
                )
        return await deliver(post_embed(post, language, max_listed=self.max_listed))

    @staticmethod
    async def _post(channel: Any, post: Post, embed: discord.Embed) -> str:
        """The embed as a message, or as a new post in a forum; the id replies point at."""
        if isinstance(channel, discord.ForumChannel):
            created = await channel.create_thread(
                name=thread_name(post.title), embed=embed, allowed_mentions=NO_MENTIONS
            )
            return str(created.message.id)
        message = await channel.send(embed=embed, allowed_mentions=NO_MENTIONS)
        return str(message.id)

    async def send_text(self, dest: Destination, text: str) -> str:
        """Localized text, split at the content limit; returns the first message's id."""
        chunks = text_chunks(text)
        async with delivery_errors(f"text to {dest.chat_id}"):
            channel = await self._channel(dest)
            if isinstance(channel, discord.ForumChannel):
                created = await channel.create_thread(
                    name=thread_name(text.splitlines()[0]),
                    content=chunks[0],
                    allowed_mentions=NO_MENTIONS,
                )
                first, channel, chunks = created.message, created.thread, chunks[1:]
            else:
                first = None
            for chunk in chunks:
                sent = await channel.send(chunk, allowed_mentions=NO_MENTIONS)
                first = first or sent
        return str(first.id) if first else ""

    async def notify_admins(self, text: str) -> None:
        """A DM to each id in `admins.discord`; the log when none is configured."""
        if not self.admin_ids:
            log.warning("no Discord admins configured (admins.discord); notice was: %s", text)
            return
        for admin_id in self.admin_ids:
            try:
                async with delivery_errors(f"DM to admin {admin_id}"):
                    dm = await self.client.create_dm(discord.Object(id=admin_id))
                    for chunk in text_chunks(text):
                        await dm.send(chunk, allowed_mentions=NO_MENTIONS)
            except DeliveryError:  # one unreachable admin must not hide the notice from the others
                log.warning("could not DM Discord admin %s", admin_id, exc_info=True)

    async def _guild_id(self, dest: Destination) -> int | None:
        """The destination's guild: from the cache (our shards' guilds), else asked once."""
        channel_id = int(dest.chat_id)  # a thread's chat is its parent channel, in the same guild
        if channel_id not in self._guild_of:
            channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(
                channel_id
            )
            guild = getattr(channel, "guild", None)  # channels never move between guilds
            self._guild_of[channel_id] = guild.id if guild is not None else None
        return self._guild_of[channel_id]

    async def _channel(self, dest: Destination) -> Any:
        """The cached channel or thread, fetched when not cached; text-capable ones only."""
        if self.shards is not None and not self.shards.owns_guild(await self._guild_id(dest)):
            raise OtherShard(f"channel {dest.chat_id} is served by another shard's process")
        channel_id = int(dest.thread_id or dest.chat_id)
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable | discord.ForumChannel):
            raise DestinationForbidden(f"channel {channel_id} takes no messages")
        return channel
