"""The summarizer's own error hierarchy; callers map these to exit codes or replies."""


class SummarizerError(Exception):
    """Base of every error this library raises on purpose.

    `reason` is the why without the how-to-fix, for callers that word their own advice
    (the `auto` backend's one-line fallback notice); it defaults to the whole message.
    """

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


class InputError(SummarizerError):
    """The text cannot be summarized (empty, not text, unreadable encoding)."""


class ModelUnavailableError(SummarizerError):
    """A model id or directory that cannot be loaded; `auto` falls back on it."""


class BackendUnavailableError(SummarizerError):
    """The backend's optional dependencies (the [hf] or [fast] extra) are not installed."""
