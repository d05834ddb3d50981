"""Follow-up questions answered from one article, with the sentences that say so, or an abstention."""

from .api import answer
from .types import (
    DEFAULT_QA_MODEL,
    AbstainReason,
    Answer,
    Evidence,
    QABackendName,
    QAOptions,
    Turn,
)

__all__ = [
    "DEFAULT_QA_MODEL",
    "AbstainReason",
    "Answer",
    "Evidence",
    "QABackendName",
    "QAOptions",
    "Turn",
    "answer",
]
