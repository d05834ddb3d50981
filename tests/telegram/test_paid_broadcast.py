"""`telegram.allow_paid_broadcast`: posts ask Telegram for paid broadcast, replies never do."""

from __future__ import annotations

from pathlib import Path

from telegram.constants import FloodLimit

from bot.adapters.telegram.adapter import default_rate_limiter
from tests.telegram.conftest import READER_AR, READER_ID, StackFactory, make_config


async def _post_and_reply(start_bot: StackFactory, config: object) -> tuple[dict, dict]:
    """The /subscribe reply and the post the subscription then gets: their sendMessage params."""
    stack = await start_bot(config)
    [reply] = await stack.say(READER_ID, READER_AR, "/subscribe")
    assert await stack.fetch()
    assert await stack.core.deliver_new(stack.adapter.sender) == 1
    [post] = stack.fake.calls_of("sendMessage", chat_id=READER_ID)[1:]
    return reply.params, post.params


async def test_posts_carry_allow_paid_broadcast_when_configured(
    start_bot: StackFactory, tmp_path: Path, fake
) -> None:
    config = make_config(tmp_path, fake, telegram={"allow_paid_broadcast": True})
    reply, post = await _post_and_reply(start_bot, config)
    assert post["allow_paid_broadcast"] is True
    assert "allow_paid_broadcast" not in reply  # a reader's reply is no broadcast: never paid


async def test_the_parameter_is_absent_by_default(
    start_bot: StackFactory, tmp_path: Path, fake
) -> None:
    reply, post = await _post_and_reply(start_bot, make_config(tmp_path, fake))
    assert "allow_paid_broadcast" not in post
    assert "allow_paid_broadcast" not in reply


def test_paid_broadcast_raises_the_rate_limiters_overall_rate() -> None:
    assert default_rate_limiter()._base_limiter.max_rate == FloodLimit.MESSAGES_PER_SECOND
    paid = default_rate_limiter(paid_broadcast=True)
    assert paid._base_limiter.max_rate == FloodLimit.PAID_MESSAGES_PER_SECOND == 1000
