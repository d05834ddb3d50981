"""Follow-up questions answered from one article, with the sentences that say so, or an abstention.

Names load on first use: the config reads `QAOptions` without importing any backend.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "answer": ".api",
    "DEFAULT_QA_MODEL": ".types",
    "AbstainReason": ".types",
    "Answer": ".types",
    "Evidence": ".types",
    "QABackendName": ".types",
    "QAOptions": ".types",
    "Turn": ".types",
}

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

__getattr__ = lazy_exports(__name__, _EXPORTS)
