"""discord.py failures mapped onto the core's delivery outcomes, and the token's."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import discord

from bot.adapters.discord.settings import PLATFORM as SPEC
from bot.core import DestinationForbidden, TransientDeliveryError
from bot.errors import TokenError

log = logging.getLogger(__name__)

TOKEN_ENV = SPEC.token_variable


@asynccontextmanager
async def delivery_errors(where: str) -> AsyncIterator[None]:
    """Within: 403/404 → DestinationForbidden (for good), 5xx, 429 and network → transient."""
    try:
        yield
    except (discord.Forbidden, discord.NotFound) as error:
        raise DestinationForbidden(f"{error.status} {error.text or 'forbidden'}") from error
    except discord.RateLimited as error:  # a retry_after beyond discord.py's patience
        raise TransientDeliveryError(
            f"{where}: rate limited for {error.retry_after:.0f}s"
        ) from error
    except discord.HTTPException as error:
        if error.status >= 500 or error.status == 429:
            raise TransientDeliveryError(f"{where}: HTTP {error.status}") from error
        raise
    except (aiohttp.ClientConnectionError, discord.ConnectionClosed, TimeoutError) as error:
        raise TransientDeliveryError(f"{where}: {type(error).__name__}") from error


def rejected_token() -> TokenError:
    """Discord answered 401 to the token: one clear line, exit 2."""
    return TokenError(f"Discord rejected the bot token in {TOKEN_ENV} (401 Unauthorized)")
