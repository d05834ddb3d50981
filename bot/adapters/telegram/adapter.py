"""The Telegram adapter's lifecycle on a loop it does not own: build, register, start, stop."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlparse

from pydantic import SecretStr
from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import FloodLimit
from telegram.error import BadRequest, Forbidden, InvalidToken
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.adapters.gate import UpdateGate
from bot.adapters.telegram.errors import RetryPolicy
from bot.adapters.telegram.handlers import TelegramHandlers
from bot.adapters.telegram.polling import CONFLICT_GRACE_S, PollingErrors
from bot.adapters.telegram.sender import ASK_PREFIX, PLATFORM, TelegramSender
from bot.adapters.telegram.settings import PLATFORM as SPEC
from bot.adapters.telegram.settings import TelegramConfig
from bot.adapters.telegram.transport import AiohttpRequest
from bot.config import Config, secret_from_env
from bot.core import COMMANDS, Core, command_menu
from bot.errors import ConfigError, ReportFatal, TokenError

log = logging.getLogger(__name__)

TOKEN_ENV = SPEC.token_variable
MENU_LANGUAGES = (
    ("ar", None),
    ("en", "en"),
)  # (catalog, language_code): Arabic is the default menu
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
# Bot API connections (PTB's default, named): a handler holds at most two at once (its reply and
# the "typing…" refresh), so `telegram.concurrent_updates` (at most 64) never waits for one,
# and what is left serves deliveries; a wait for a connection is the pool timeout, ADR 015.
HTTP_CONNECTIONS = 256


@dataclass(frozen=True, slots=True)
class RequestTimeouts:
    """Explicit HTTP timeouts for Bot API calls (seconds); long polls wait `poll` more."""

    connect: float = 5.0
    read: float = 10.0
    write: float = 10.0
    pool: float = 5.0
    poll: int = 10


def default_rate_limiter(paid_broadcast: bool = False) -> AIORateLimiter:
    """Telegram's flood limits (30 msg/s overall, 20/min per group), 429s retried after their wait.

    Paid broadcasts (`telegram.allow_paid_broadcast`) raise the overall limit to 1000 msg/s.
    """
    overall = (
        FloodLimit.PAID_MESSAGES_PER_SECOND if paid_broadcast else FloodLimit.MESSAGES_PER_SECOND
    )
    return AIORateLimiter(
        overall_max_rate=overall,
        group_max_rate=FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        max_retries=3,
    )


def api_urls(base_url: str, base_file_url: str | None) -> tuple[str, str]:
    """A self-hosted server's root (or PTB-style `…/bot`) → PTB's API and file base URLs."""
    root = base_url.rstrip("/").removesuffix("/bot")
    return f"{root}/bot", (base_file_url or f"{root}/file/bot")


def build_application(
    settings: TelegramConfig,
    token: SecretStr,
    timeouts: RequestTimeouts,
    rate_limiter: BaseRateLimiter,
) -> Application:
    """PTB's Application with explicit timeouts, rate limiter and (optionally) a self-hosted API.

    Bot API calls go over aiohttp (`transport.AiohttpRequest`), a fifth of httpx's CPU per call.
    """
    limits = {
        "connect": timeouts.connect,
        "read": timeouts.read,
        "write": timeouts.write,
        "pool": timeouts.pool,
    }
    builder = (
        ApplicationBuilder()
        .token(token.get_secret_value())
        .rate_limiter(rate_limiter)
        .request(AiohttpRequest(HTTP_CONNECTIONS, **limits))
        .get_updates_request(AiohttpRequest(1, **limits))  # one long poll at a time
    )
    if settings.base_url:
        api, files = api_urls(settings.base_url, settings.base_file_url)
        builder = builder.base_url(api).base_file_url(files)
    return builder.build()


def register_handlers(
    application: Application, handlers: TelegramHandlers, gate: UpdateGate
) -> None:
    """Every handler, in order, from the core's command table; the error handler last.

    Each runs as its own task (`block=False`: a slow command holds up no other update) behind
    `gate`, which bounds how many run at once.
    """
    messages = filters.UpdateType.MESSAGE  # not edits, not channel posts
    for spec in COMMANDS:
        application.add_handler(
            CommandHandler(
                spec.name, gate.wrap(partial(handlers.command, spec)), filters=messages, block=False
            )
        )
    application.add_handler(
        CallbackQueryHandler(
            gate.wrap(handlers.ask_button), pattern=rf"^{ASK_PREFIX}\d+$", block=False
        )
    )
    application.add_handler(
        MessageHandler(
            messages & filters.TEXT & filters.REPLY & ~filters.COMMAND,
            gate.wrap(handlers.follow_up),
            block=False,
        )
    )
    application.add_error_handler(handlers.on_error)


class TelegramAdapter:
    """Owns the PTB Application; `start()`/`stop()` run it on the caller's event loop.

    `report_fatal` is told when polling finds another process polling with this token while
    this one has polled for less than `conflict_grace_s` (see `polling`).
    """

    platform = PLATFORM

    def __init__(
        self,
        config: Config,
        core: Core,
        token: SecretStr,
        report_fatal: ReportFatal,
        *,
        timeouts: RequestTimeouts | None = None,
        retry: RetryPolicy | None = None,
        rate_limiter: BaseRateLimiter | None = None,
        conflict_grace_s: float = CONFLICT_GRACE_S,
    ) -> None:
        self._config = config
        self._report_fatal = report_fatal
        self._conflict_grace_s = conflict_grace_s
        self._timeouts = timeouts or RequestTimeouts()
        paid = config.telegram.allow_paid_broadcast
        self.application = build_application(
            config.telegram, token, self._timeouts, rate_limiter or default_rate_limiter(paid)
        )
        self._sender = TelegramSender(
            self.application.bot,
            config.admins.of(PLATFORM),
            retry or RetryPolicy(),
            paid_broadcast=paid,
            images=config.post_images(PLATFORM),
            max_listed=config.stories.max_listed_sources,
        )
        self._gate = UpdateGate(config.telegram.concurrent_updates, PLATFORM)
        register_handlers(self.application, TelegramHandlers(core, self._sender), self._gate)

    @property
    def sender(self) -> TelegramSender:
        """The core's `Sender` for this platform (deliveries, digests, admin notices)."""
        return self._sender

    async def start(self) -> None:
        """getMe (a rejected token is a TokenError), command menus, then polling or webhook."""
        try:
            await self.application.initialize()
        except InvalidToken:
            raise TokenError(f"Telegram rejected the bot token: check {TOKEN_ENV}") from None
        await self._post_init()
        await self.application.start()
        await self._receive_updates()
        log.info("Telegram bot @%s started", self.application.bot.username)

    async def stop(self) -> None:
        """Stops receiving, lets running handlers finish (the waiting are dropped), closes HTTP."""
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        self._gate.close()
        if self.application.running:
            await self.application.stop()
        self._gate.report()
        await self.application.shutdown()

    async def _post_init(self) -> None:
        """What PTB's post_init would do (the manual lifecycle does not call it): command menus."""
        bot = self.application.bot
        for language, code in MENU_LANGUAGES:
            public = [BotCommand(*item) for item in command_menu(language, include_admin=False)]
            await bot.set_my_commands(public, language_code=code)
            every = [BotCommand(*item) for item in command_menu(language)]
            for admin_id in self._config.admins.of(PLATFORM):
                try:
                    await bot.set_my_commands(
                        every, scope=BotCommandScopeChat(admin_id), language_code=code
                    )
                except (
                    BadRequest,
                    Forbidden,
                ) as error:  # the admin has not opened a chat with the bot yet
                    log.info("admin menu for Telegram user %s not set: %s", admin_id, error)

    async def _receive_updates(self) -> None:
        updater = self.application.updater
        assert updater is not None  # ApplicationBuilder always builds one unless told not to
        webhook = self._config.telegram.webhook
        if not webhook.enabled:
            errors = PollingErrors(self._report_fatal, grace_s=self._conflict_grace_s)
            await updater.start_polling(
                timeout=self._timeouts.poll,
                allowed_updates=ALLOWED_UPDATES,
                error_callback=errors,
            )
            return
        if not webhook.url:
            raise ConfigError("telegram.webhook.url: required when the webhook is enabled")
        secret = secret_from_env(webhook.secret_token_env, what="The Telegram webhook")
        await updater.start_webhook(
            listen=webhook.listen,
            port=webhook.port,
            url_path=urlparse(webhook.url).path.lstrip("/"),
            webhook_url=webhook.url,
            secret_token=secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
        )


def build_telegram_adapter(
    config: Config, core: Core, report_fatal: ReportFatal
) -> TelegramAdapter:
    """The composition root's entry: the token from TELEGRAM_BOT_TOKEN (missing → TokenError, exit 2)."""
    token = secret_from_env(TOKEN_ENV, what="The Telegram bot")
    return TelegramAdapter(config, core, token, report_fatal)


create_adapter = build_telegram_adapter  # the name `bot.adapters.build_adapters` looks up
