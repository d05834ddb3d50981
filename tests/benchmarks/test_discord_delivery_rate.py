"""The Discord delivery-rate benchmark posts once to every channel and tells when it was paced."""

from __future__ import annotations

from benchmarks.discord_delivery_rate import RateLimits, add_channels, measure
from tests.helpers.fake_discord import TEXT_CHANNEL_ID, FakeDiscord

POSTS = 12
MESSAGES = r"/channels/\d+/messages"


async def run_once(fake: FakeDiscord, channels: int) -> tuple[float, RateLimits]:
    await fake.start()
    try:
        with RateLimits() as seen:
            rate = await measure(fake, channels, concurrent=True, seen=seen)
    finally:
        await fake.stop()
    return rate, seen


async def test_each_channel_gets_one_post_and_nothing_paced_them() -> None:
    fake = FakeDiscord()
    channels = add_channels(fake.world, POSTS)
    rate, seen = await run_once(fake, POSTS)
    assert rate > 0
    assert len(fake.sent(TEXT_CHANNEL_ID)) == 1  # the warm-up
    assert all(len(fake.sent(channel)) == 1 for channel in channels)  # every post, once
    assert [call.status for call in fake.calls("POST", MESSAGES)] == [200] * (POSTS + 1)
    assert not fake.calls("GET", r"/channels/\d+")  # cached from the gateway: one request a post
    # The fake sends no X-RateLimit headers and no 429: the figure is an upper bound, and the
    # benchmark says so because it saw nothing, not because it assumes it.
    assert not seen.exercised


async def test_a_429_waited_out_counts_as_rate_limits_exercised() -> None:
    fake = FakeDiscord()
    [channel, *_] = add_channels(fake.world, 2)
    fake.fail("POST", rf"/channels/{channel}/messages", 429, retry_after=0.05)
    _, seen = await run_once(fake, 2)
    assert seen.waits == 1 and seen.exercised
    assert len(fake.sent(channel)) == 1  # the post still went, once
