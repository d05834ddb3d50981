"""Deliveries per second per Discord bot, bot side: the real sender over discord.py.

Posts go through `DiscordSender.send_post` of a started `DiscordAdapter` (discord.py with the
adapter's own client options, embeds and allowed mentions) to the tests' fake Discord (REST and
gateway) running in a separate process on 127.0.0.1, one post to each of N text channels, each
in a guild of its own (the fan-out of one article to N servers). The channels arrive in
GUILD_CREATE and are cached as in production, so each post is one `POST /channels/{id}/messages`.

Rate limits are not exercised: discord.py paces only on what Discord tells it (X-RateLimit-*
headers on answers, and 429s, which it waits out), and the fake sends neither; the run checks
and reports this. So every channel's bucket merely keeps one request in flight, and the figures
are an upper bound of the bot side. Discord's ceiling is lower: 50 requests per second per bot
across all channels (the global limit, docs.discord.com/developers/topics/rate-limits), which
discord.py does not pace ahead of time but meets as a global 429 and waits out. Per-route limits
are not published (the headers tell them); sending to one channel is 5 messages per 5 s as
client libraries document it (Javacord), which one post per channel never reaches.

Two shapes: `sequential` sends one destination after another, as the delivery core does today;
`concurrent` has up to 8 sends in flight, each to a channel (and rate-limit bucket) of its own.

    python -m benchmarks.discord_delivery_rate [--posts 300] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path
from types import TracebackType

import discord
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fan_out import (  # noqa: E402
    append_json,
    each_shape,
    fake_process,
    fan_out,
    post,
    serve_until_stdin_closes,
)
from bot.adapters.discord.adapter import DiscordAdapter  # noqa: E402
from bot.core.types import ChatKind, Destination  # noqa: E402
from tests.discord.conftest import FakeEndpoints, make_config  # noqa: E402
from tests.helpers.bot_stack import CoreStack, start_core  # noqa: E402
from tests.helpers.fake_discord import GUILD_ID, TEXT_CHANNEL_ID, VALID_TOKEN  # noqa: E402
from tests.helpers.fake_discord.server import FakeAddress  # noqa: E402
from tests.helpers.fake_discord.world import World  # noqa: E402

FIRST_CHANNEL_ID = 900000000001000000  # clear of the fake's own ids and of the guilds below
GLOBAL_LIMIT_PER_S = 50  # Discord's requests per second per bot, all routes together
RATE_LIMITED = "We are being rate limited"  # how discord.py's warnings about a 429 begin


def channel_ids(posts: int) -> list[int]:
    """The N fanned-out channels; the fake's process and the bot's derive the same ids."""
    return [FIRST_CHANNEL_ID + i for i in range(posts)]


def add_channels(world: World, posts: int) -> list[int]:
    """One guild per channel, as subscriptions from N servers; ids spaced like real snowflakes."""
    for i, channel_id in enumerate(channel_ids(posts)):
        world.add_guild(GUILD_ID + ((i + 1) << 22), f"Guild {i}", channel_id)
    return channel_ids(posts)


class RateLimits(logging.Handler):
    """What discord.py saw of rate limits: X-RateLimit headers, and the 429s it waited out.

    Without either, nothing paced the sends and the figures are only an upper bound; the run
    says so from what it saw rather than from what the fake is believed to do.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.headers_seen = False
        self.waits = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(RATE_LIMITED):
            self.waits += 1

    def note_buckets(self, client: discord.Client) -> None:
        """Reads discord.py's buckets before the client closes; it has no public view of them.

        A bucket is marked dirty, or a route gets Discord's bucket hash, only from headers.
        """
        http = client.http
        self.headers_seen |= bool(http._bucket_hashes) or any(
            bucket.dirty for bucket in http._buckets.values()
        )

    @property
    def exercised(self) -> bool:
        return self.headers_seen or self.waits > 0

    def __enter__(self) -> RateLimits:
        logging.getLogger("discord.http").addHandler(self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        logging.getLogger("discord.http").removeHandler(self)


async def serve_fake(posts: int) -> None:
    """The fake Discord with the N channels in this process: prints its port, serves until EOF."""
    from tests.helpers.fake_discord import FakeDiscord

    fake = FakeDiscord()
    add_channels(fake.world, posts)
    await fake.start()
    await serve_until_stdin_closes(fake.port)
    await fake.stop()


async def measure(fake: FakeEndpoints, posts: int, concurrent: bool, seen: RateLimits) -> float:
    """Posts per second for one shape, after one warm-up send, on a freshly started bot.

    The adapter runs as in production (over a core on a throw-away SQLite store), so its client
    has the adapter's options and its channel cache is filled from the gateway.
    """
    with tempfile.TemporaryDirectory() as tmp:
        config = make_config(Path(tmp), fake, language="ar")
        stack = CoreStack(config, *await start_core(config))
        try:
            adapter = DiscordAdapter(config, stack.core, SecretStr(VALID_TOKEN))
            await adapter.start()
            stack.closers.append(adapter.stop)
            ids = channel_ids(posts)
            # An uncached channel costs a GET before its post: no longer one request a post.
            uncached = [i for i in ids if adapter.client.get_channel(i) is None]
            if uncached:
                raise RuntimeError(f"{len(uncached)} of {posts} channels not cached after READY")
            sender = adapter.sender
            warm_up = Destination("discord", str(TEXT_CHANNEL_ID), kind=ChatKind.CHANNEL)
            await sender.send_post(warm_up, post(0), "ar")
            destinations = [Destination("discord", str(i), kind=ChatKind.CHANNEL) for i in ids]
            rate = await fan_out(
                lambda i: sender.send_post(destinations[i], post(i + 1), "ar"), posts, concurrent
            )
            seen.note_buckets(adapter.client)
            return rate
        finally:
            await stack.stop()


async def main(fake: FakeEndpoints, args: argparse.Namespace) -> dict[str, object]:
    results: dict[str, object] = {"posts": args.posts, "discord_py": discord.__version__}
    with RateLimits() as seen:
        results |= await each_shape(
            lambda concurrent: measure(fake, args.posts, concurrent, seen),
            args.posts,
            "one channel per guild",
        )
    results |= {
        "rate_limit_headers_seen": seen.headers_seen,
        "rate_limit_waits": seen.waits,
        "upper_bound": not seen.exercised,
        "discord_global_limit_per_s": GLOBAL_LIMIT_PER_S,
    }
    if seen.exercised:
        print(f"rate limits: exercised (headers seen: {seen.headers_seen}, 429s: {seen.waits})")
    else:
        print(
            "rate limits: not exercised (no X-RateLimit headers, no 429 from the fake): "
            f"an upper bound of the bot side; Discord allows {GLOBAL_LIMIT_PER_S} requests/s per bot"
        )
    return results


def run(args: argparse.Namespace) -> dict[str, object]:
    """Starts the fake in its own process (so it does not share our loop), then measures."""
    with fake_process("benchmarks.discord_delivery_rate", "--posts", str(args.posts)) as port:
        return asyncio.run(main(FakeAddress(port), args))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300, help="channels, one post each")
    parser.add_argument("--json", type=Path, help="append the figures as one JSON line")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if options.serve:
        asyncio.run(serve_fake(options.posts))
    else:
        figures = run(options)
        if options.json:
            append_json(options.json, figures)
