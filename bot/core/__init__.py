"""The platform-neutral core: commands, subscriptions, delivery and Q&A, once for every adapter."""

from bot.core.commands import COMMANDS, CommandSpec, command_menu, find_command
from bot.core.delivery import (
    DestinationForbidden,
    DestinationMigrated,
    Sender,
    TransientDeliveryError,
)
from bot.core.outbox import Outbox, SentMessage
from bot.core.service import Core
from bot.core.types import (
    AnswerView,
    Caller,
    ChatKind,
    Destination,
    Post,
    RepliedMessage,
    Reply,
)

__all__ = [
    "COMMANDS",
    "AnswerView",
    "Caller",
    "ChatKind",
    "CommandSpec",
    "Core",
    "Destination",
    "DestinationForbidden",
    "DestinationMigrated",
    "Outbox",
    "Post",
    "RepliedMessage",
    "Reply",
    "Sender",
    "SentMessage",
    "TransientDeliveryError",
    "command_menu",
    "find_command",
]
