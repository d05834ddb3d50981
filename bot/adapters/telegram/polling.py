"""What getUpdates errors mean while polling: above all 409 Conflict, a second poller.

Telegram serves one getUpdates poller per bot token. When a second request arrives while a
long poll is waiting, the waiting one is answered 409 Conflict; two processes polling with one
token therefore terminate each other's polls for as long as both run, and split the updates.
Which of them should go is decided by age: the one that has only just started polling is the
newcomer (a second `khulasa run` by mistake) and stops the whole run; the one that has been
serving for a while is the incumbent, warns and keeps serving.
"""

from __future__ import annotations

import logging
import time

from telegram.error import Conflict, TelegramError

from bot import metrics
from bot.errors import ReportFatal, TokenInUse
from bot.metrics import FailureKind

log = logging.getLogger(__name__)

# A 409 this soon after our polling began means another process was polling first: our first
# getUpdates terminated its long poll, and its retry (PTB waits 1 s, then 1.5 s, 2.25 s …)
# terminates ours within seconds, well inside the window. A process polling for longer is the
# incumbent: if it stopped instead, an accidental second start would take the bot down.
CONFLICT_GRACE_S = 30.0
# While another process keeps polling, our conflicts come at most PTB's longest retry wait
# (30 s) plus one long poll apart; a longer quiet means the episode ended and a new one is news.
CONFLICT_EPISODE_GAP_S = 60.0

CONFLICT = "another process polls Telegram with this bot token (409 Conflict)"
IN_USE = f"{CONFLICT}: run one `khulasa run` per token, or use telegram.webhook"


class PollingErrors:
    """PTB's `error_callback` for one polling run: sync, as PTB requires, and it never raises.

    Every error counts as a `receive` failure; PTB polls again after a growing pause. A 409
    within `grace_s` of the start reports TokenInUse, which stops `khulasa run` (the CLI prints
    it); a later 409 is one warning per conflict episode, any other error one warning each, and
    never a traceback.
    """

    def __init__(
        self,
        report_fatal: ReportFatal,
        *,
        grace_s: float = CONFLICT_GRACE_S,
    ) -> None:
        self._report_fatal = report_fatal
        self._grace_s = grace_s
        self._started = time.monotonic()  # built just before polling starts
        self._last_conflict: float | None = None

    def __call__(self, error: TelegramError) -> None:
        metrics.failure(FailureKind.RECEIVE)
        if not isinstance(error, Conflict):
            log.warning("getUpdates failed (%s); PTB polls again after a pause", error)
            return
        now = time.monotonic()
        polling_for = now - self._started
        if polling_for < self._grace_s:
            self._report_fatal(TokenInUse(IN_USE))
            return
        if self._last_conflict is None or now - self._last_conflict > CONFLICT_EPISODE_GAP_S:
            log.warning(
                "%s; this one, polling for %.0f s, keeps serving (a newer `khulasa run` stops)",
                CONFLICT,
                polling_for,
            )
        self._last_conflict = now
