"""Per-source keyword filters: plain words matched case- and Arabic-spelling-insensitively."""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.text import tokenize


class KeywordFilter:
    """Keeps an article when any include word occurs (or none are set) and no exclude word does."""

    def __init__(self, include: Sequence[str], exclude: Sequence[str]) -> None:
        self._include = [_phrase(word) for word in include if _phrase(word).strip()]
        self._exclude = [_phrase(word) for word in exclude if _phrase(word).strip()]

    def accepts(self, title: str, text: str) -> bool:
        """Whether the article passes the source's filters."""
        if not self._include and not self._exclude:
            return True
        haystack = _phrase(f"{title}\n{text}")
        if any(word in haystack for word in self._exclude):
            return False
        return not self._include or any(word in haystack for word in self._include)


def _phrase(text: str) -> str:
    """Normalized tokens padded with spaces, so matching respects word boundaries."""
    return f" {' '.join(tokenize(text))} "
