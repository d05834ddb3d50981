"""The bot's error hierarchy: each error a user can cause carries its exit code and one clear line."""

from __future__ import annotations

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
