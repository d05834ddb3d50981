"""The Discord client's lifecycle on the bot's one event loop, and where it connects to."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route
from pydantic import SecretStr

from bot.adapters.discord.commands import build_commands
from bot.adapters.discord.errors import TOKEN_ENV, rejected_token
from bot.adapters.discord.handlers import DiscordHandlers
from bot.adapters.discord.sender import PLATFORM, DiscordSender
from bot.adapters.discord.settings import DiscordConfig
from bot.adapters.discord.shards import Shards
from bot.adapters.discord.translator import CatalogTranslator
from bot.config import Config, secret_from_env
from bot.core import Core
from bot.errors import ConfigError, DeliveryError, ReportFatal

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 60.0
RATE_LIMIT_PATIENCE_S = 60.0  # a longer 429 wait fails the send (retried next round) instead
INTENT_HELP = (
    "Discord refused the message content intent: enable it in the Developer Portal "
    "(your application → Bot → Privileged Gateway Intents → Message Content Intent)"
)


class Endpoints:
    """Points discord.py at `discord.api_base_url` / `discord.gateway_url` (a proxy, the tests).

    discord.py 2.x has no public option for either: every REST URL is built from the class
    attribute `discord.http.Route.BASE`, and a non-sharded `Client`, like an
    `AutoShardedClient` given its `shard_count`, opens its first gateway connections at
    `DiscordWebSocket.DEFAULT_GATEWAY` (it never asks `GET /gateway/bot`; resumes go to READY's
    `resume_gateway_url`). Both are process-wide, so they are set here only, while the adapter
    runs, and restored when it stops.
    """

    def __init__(self, config: DiscordConfig) -> None:
        self.api_base_url = config.api_base_url.rstrip("/") if config.api_base_url else None
        self.gateway_url = yarl.URL(config.gateway_url) if config.gateway_url else None
        self._saved: tuple[str, yarl.URL] | None = None

    def apply(self) -> None:
        self._saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
        if self.api_base_url:
            Route.BASE = self.api_base_url
        if self.gateway_url:
            DiscordWebSocket.DEFAULT_GATEWAY = self.gateway_url

    def restore(self) -> None:
        if self._saved is not None:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None


class _AdapterHooks:
    """Setup, messages and event errors of either client class go to the adapter."""

    adapter: DiscordAdapter

    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)  # type: ignore[call-arg]
        self.adapter = adapter

    async def setup_hook(self) -> None:
        await self.adapter.setup_commands()

    async def on_message(self, message: discord.Message) -> None:
        await self.adapter.handlers.on_message(message)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        error = sys.exc_info()[1]  # discord.py calls on_error inside the failed handler's except
        await self.adapter.handlers.on_event_error(
            event_method, args, error or RuntimeError(event_method)
        )


class KhulasaClient(_AdapterHooks, discord.Client):
    """One gateway connection: the bot unsharded."""


class ShardedKhulasaClient(_AdapterHooks, discord.AutoShardedClient):
    """This process's shards (`discord.shard_ids` of `discord.shard_count`) on one client.

    discord.py identifies them one after another, 5 s apart (Discord's session-start rate).
    """


class DiscordAdapter:
    """Logs in, connects in the background, syncs slash commands; `sender` delivers for the core."""

    platform = PLATFORM

    def __init__(
        self,
        config: Config,
        core: Core,
        token: SecretStr,
        *,
        guild_ready_timeout: float = 2.0,
        ready_timeout: float = READY_TIMEOUT_S,
    ) -> None:
        self.config = config
        self.core = core
        self._token = token
        self._ready_timeout = ready_timeout
        self._endpoints = Endpoints(config.discord)
        self.shards = Shards.from_config(config.discord)
        intents = discord.Intents.default()
        intents.message_content = True  # replies to posts are questions (privileged: see README)
        options: dict[str, Any] = {
            "intents": intents,
            "allowed_mentions": discord.AllowedMentions.none(),
            "max_ratelimit_timeout": RATE_LIMIT_PATIENCE_S,
            "guild_ready_timeout": guild_ready_timeout,
        }
        self.client: discord.Client
        if self.shards is None:
            self.client = KhulasaClient(self, **options)
        else:
            self.client = ShardedKhulasaClient(
                self, shard_count=self.shards.count, shard_ids=list(self.shards.ids), **options
            )
        self.tree = app_commands.CommandTree(self.client)
        self.handlers = DiscordHandlers(self.client, core, config)
        self.tree.error(self.handlers.on_tree_error)
        for command in build_commands(self.handlers.run_command, config.delivery.language):
            self.tree.add_command(command)
        self._sender = DiscordSender(
            self.client,
            config.admins.of(PLATFORM),
            self.shards,
            images=config.post_images(PLATFORM),
            max_listed=config.stories.max_listed_sources,
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def sender(self) -> DiscordSender:
        return self._sender

    async def start(self) -> None:
        """Login, then the gateway as a background task; returns once Discord says READY."""
        self._endpoints.apply()
        try:
            await self.client.login(self._token.get_secret_value())
        except discord.LoginFailure:
            await self.stop()
            raise rejected_token() from None
        self._task = asyncio.create_task(
            self.client.connect(reconnect=True), name="discord-gateway"
        )
        self._task.add_done_callback(_log_gateway_end)
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._task}, timeout=self._ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready in done:
            log.info(
                "Discord ready as %s in %d guild(s)%s",
                self.client.user,
                len(self.client.guilds),
                f", shards {list(self.shards.ids)} of {self.shards.count}" if self.shards else "",
            )
            return
        ready.cancel()
        failure = self._task.exception() if self._task.done() else None
        await self.stop()
        if isinstance(failure, discord.PrivilegedIntentsRequired):
            raise ConfigError(INTENT_HELP)
        raise DeliveryError(
            f"Discord gateway not ready: {failure or f'no READY in {self._ready_timeout:.0f}s'}"
        )

    async def stop(self) -> None:
        """Closes the gateway and HTTP session; restores discord.py's endpoints."""
        await self.client.close()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self._endpoints.restore()

    async def setup_commands(self) -> None:
        """Registers the translator and syncs the slash commands (one guild only when configured).

        With shards, only the process running shard 0 syncs: the commands are the bot's, not a
        shard's, and one sync is enough however many processes start.
        """
        await self.tree.set_translator(CatalogTranslator(self.config.delivery.language))
        if self.shards is not None and not self.shards.leads:
            log.info("slash commands are synced by the process running shard 0")
            return
        guild_id = self.config.discord.sync_guild
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.HTTPException:
            log.error("slash command sync failed; the previous commands stay", exc_info=True)
            return
        log.info(
            "synced %d slash commands %s",
            len(synced),
            f"to guild {guild_id}" if guild_id else "globally",
        )


def _log_gateway_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("Discord gateway stopped", exc_info=task.exception())


def build_discord_adapter(config: Config, core: Core, report_fatal: ReportFatal) -> DiscordAdapter:
    """The adapter with its token from DISCORD_BOT_TOKEN (missing → TokenError, exit 2).

    `report_fatal` is not used: discord.py reconnects by itself, and what it cannot recover
    from at start, `start()` raises.
    """
    token = secret_from_env(TOKEN_ENV, what="Discord (discord.enabled)")
    return DiscordAdapter(config, core, token)


create_adapter = build_discord_adapter  # the name `bot.adapters.build_adapters` looks up
