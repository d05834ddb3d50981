"""Who receives what: /subscribe, /unsubscribe, /subscriptions, /pictures, config channels."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.core.context import CoreContext
from bot.core.types import Caller, ChatKind, Destination, Reply
from bot.errors import UserError
from bot.i18n import t
from bot.sections import ChannelConfig
from bot.store import IMMEDIATE, ConfigChannel, Subscription

log = logging.getLogger(__name__)

# `/pictures` arguments, in both catalog languages; anything else is a usage error
PICTURES_SWITCH = {"on": True, "تشغيل": True, "off": False, "إيقاف": False, "ايقاف": False}


class SubscriptionCommands:
    """The subscription commands; permissions checked here, once for every platform."""

    def __init__(self, context: CoreContext) -> None:
        self.context = context

    def parse_sources(self, args: str) -> list[str]:
        """Source names from command arguments; unknown names are a reader error listing valid ones."""
        names = [name for name in args.replace(",", " ").replace("،", " ").split() if name]
        valid = self.context.source_names()
        unknown = [name for name in names if name not in valid]
        if unknown:
            raise UserError(
                "error.unknown_sources", unknown=", ".join(unknown), valid=", ".join(valid)
            )
        return list(dict.fromkeys(names))

    def describe_sources(self, sources: Sequence[str], language: str) -> str:
        return ", ".join(sources) if sources else t("subscriptions.all_sources", language)

    def describe_schedule(self, schedule: str, language: str) -> str:
        if schedule == IMMEDIATE:
            return t("subscriptions.immediate", language)
        return t("subscriptions.digest", language, schedule=schedule)

    async def subscribe(self, caller: Caller, args: str, target: Destination | None) -> Reply:
        dest = target or caller.destination
        self.context.require_manager(caller, dest)
        names = self.parse_sources(args)
        language = self.context.post_language(dest, caller.language)
        view = await self.context.store.subscriptions.subscribe(
            dest, names, language, caller.user_id
        )
        log.info(
            "subscription %s at %s:%s now %s",
            view.id,
            dest.platform,
            dest.chat_id,
            view.sources or "all",
        )
        return Reply(
            text=t(
                "subscribe.done",
                caller.language,
                sources=self.describe_sources(view.sources, caller.language),
                schedule=self.describe_schedule(view.schedule, caller.language),
            )
        )

    async def unsubscribe(self, caller: Caller, args: str, target: Destination | None) -> Reply:
        dest = target or caller.destination
        self.context.require_manager(caller, dest)
        names = self.parse_sources(args)
        view = _changed(
            await self.context.store.subscriptions.unsubscribe(
                dest, names, self.context.source_names()
            ),
            f"unsubscribed from {', '.join(names) or 'all'}",
            caller,
        )
        if not view.active:
            return Reply(text=t("unsubscribe.done_all", caller.language))
        return Reply(
            text=t(
                "unsubscribe.done_some",
                caller.language,
                sources=self.describe_sources(view.sources, caller.language),
            )
        )

    async def list(self, caller: Caller, target: Destination | None) -> Reply:
        """This chat's subscription; a bot admin in a private chat also sees every channel's."""
        dest = target or caller.destination
        own = await self.context.store.subscriptions.find(dest)
        views = [own] if own is not None else []
        if dest.kind == ChatKind.PRIVATE and target is None and self.context.is_bot_admin(caller):
            active = await self.context.store.subscriptions.active(dest.platform)
            views += [
                view
                for view in active
                if view.destination.kind == ChatKind.CHANNEL and view.destination != dest
            ]
        lines = [self._line(view, caller.language) for view in views if view.active]
        if not lines:
            return Reply(text=t("subscriptions.none", caller.language))
        return Reply(text="\n".join([t("subscriptions.header", caller.language), *lines]))

    async def pictures(self, caller: Caller, args: str, target: Destination | None) -> Reply:
        """`/pictures on|off` switches the chat's pictures; alone, it shows the switch."""
        dest = target or caller.destination
        word = args.strip().lower()
        if not word:
            view = await self.context.store.subscriptions.find(dest)
            if view is None or not view.active:
                raise UserError("error.not_subscribed")
            return self._pictures_reply(view, caller.language)
        self.context.require_manager(caller, dest)
        if word not in PICTURES_SWITCH:
            raise UserError("error.pictures_usage")
        switch = PICTURES_SWITCH[word]
        view = _changed(
            await self.context.store.subscriptions.set_images(dest, switch),
            f"pictures {'on' if switch else 'off'}",
            caller,
        )
        return self._pictures_reply(view, caller.language)

    def _pictures_reply(self, view: Subscription, language: str) -> Reply:
        """The chat's switch; "on" says so when the platform's config keeps pictures off anyway."""
        if not view.images:
            return Reply(text=t("pictures.off", language))
        allowed = self.context.config.post_images(view.destination.platform)
        return Reply(text=t("pictures.on" if allowed else "pictures.on_config_off", language))

    def _line(self, view: Subscription, language: str) -> str:
        return t(
            "subscriptions.line",
            language,
            chat=view.destination.chat_id,
            sources=self.describe_sources(view.sources, language),
            schedule=self.describe_schedule(view.schedule, language),
        )

    async def sync_config_channels(
        self, platform: str, channels: Sequence[ChannelConfig]
    ) -> list[int]:
        """Config channels become config subscriptions; ones removed from the file stop."""
        ids = await self.context.store.subscriptions.sync_config_channels(
            platform,
            [ConfigChannel(c.chat, tuple(c.sources), c.schedule) for c in channels],
            self.context.config.delivery.language,
        )
        log.info("config channels on %s synced: subscriptions %s", platform, ids)
        return ids


def _changed(view: Subscription | None, change: str, caller: Caller) -> Subscription:
    """The subscription a command changed, logged; no active one there is the reader's error."""
    if view is None:
        raise UserError("error.not_subscribed")
    dest = view.destination
    log.info(
        "subscription %s at %s:%s %s by user %s",
        view.id,
        dest.platform,
        dest.chat_id,
        change,
        caller.user_id,
    )
    return view
