"""The bot's error hierarchy: each error a user can cause carries its exit code and one clear line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class KhulasaError(Exception):
    """Base of every error the bot raises on purpose; `exit_code` is what the CLI exits with."""

    exit_code = 1


class UsageError(KhulasaError):
    """Bad command-line usage or bad input given to a command."""

    exit_code = 2


class ConfigError(KhulasaError):
    """The config does not validate; the message names the key path and line."""

    exit_code = 2


class TokenError(ConfigError):
    """A platform token is missing or was rejected by the platform."""


class TokenInUse(KhulasaError):
    """Another process already serves a platform with this token (Telegram: one poller each).

    Exit 2 like a token error: a restart would only fight the other process again, so the
    systemd unit does not restart on it.
    """

    exit_code = 2


class FetchError(KhulasaError):
    """A source or URL could not be fetched or parsed."""


class UnsafeURLError(FetchError):
    """A reader's URL points at a non-public address or a scheme other than http(s)."""


class StoreError(KhulasaError):
    """The database could not be opened, migrated or written."""


class DatabaseUnavailable(StoreError):
    """The database is unreachable or refusing work for now; the same call may work later."""

    exit_code = 2


class DeliveryError(KhulasaError):
    """A message could not be delivered to a destination."""


class UserError(KhulasaError):
    """A reader's mistake in a chat: carries an i18n message key and its placeholders."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


ReportFatal = Callable[[KhulasaError], None]
"""How a running adapter stops the whole `khulasa run` (e.g. another process polls its token).

Sync, so a library's callback can call it: `khulasa run` stops as on SIGTERM (running jobs
finish, adapters close), then raises the error, which the CLI prints as one line.
"""
