"""The command table: one place that both adapters turn into handlers, menus and help text."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import t


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command: its name, its argument, the i18n keys that describe it, and who may run it."""

    name: str
    admin_only: bool = False  # bot admins only (config.admins.<platform>)
    arg: str | None = None  # name of the free-text argument (a slash-command option); None = none
    arg_required: bool = False
    targets_chat: bool = False  # the handler accepts another chat or channel as its target
    # with another chat as target, the arguments start with this word (`/schedule chat CRON`)
    target_keyword: str | None = None
    slow: bool = False  # may fetch, summarize or answer: adapters show that work is under way
    about_message: bool = False  # about a replied message; where replies can't carry it, a link

    @property
    def takes_args(self) -> bool:
        return self.arg is not None

    @property
    def help_key(self) -> str:
        """Short description: menus (Telegram setMyCommands, Discord slash commands) and /help."""
        return f"cmd.{self.name}.help"

    @property
    def args_key(self) -> str | None:
        """Argument hint shown in /help and as the Discord option description."""
        return f"cmd.{self.name}.args" if self.takes_args else None


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start"),
    CommandSpec("help"),
    CommandSpec("subscribe", arg="sources", targets_chat=True),
    CommandSpec("unsubscribe", arg="sources", targets_chat=True),
    CommandSpec("subscriptions", targets_chat=True),
    CommandSpec("pictures", arg="state", targets_chat=True),
    CommandSpec("summary", arg="query", slow=True),
    CommandSpec("ask", arg="question", arg_required=True, slow=True, about_message=True),
    CommandSpec("schedule", arg="schedule", targets_chat=True, target_keyword="chat"),
    CommandSpec("sources", admin_only=True),
    CommandSpec("status", admin_only=True),
    CommandSpec("pause", admin_only=True),
    CommandSpec("resume", admin_only=True),
)

_BY_NAME = {spec.name: spec for spec in COMMANDS}


def find_command(name: str) -> CommandSpec | None:
    """The spec for a command name as typed (leading slash and case ignored)."""
    return _BY_NAME.get(name.lstrip("/").lower())


def command_menu(language: str, *, include_admin: bool = True) -> list[tuple[str, str]]:
    """(name, description) pairs in table order, for native command menus in one language."""
    return [
        (spec.name, t(spec.help_key, language))
        for spec in COMMANDS
        if include_admin or not spec.admin_only
    ]
