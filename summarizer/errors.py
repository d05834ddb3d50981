"""The summarizer's own error hierarchy; callers map these to exit codes or replies."""


class SummarizerError(Exception):
    """Base of every error this library raises on purpose."""


class InputError(SummarizerError):
    """The text cannot be summarized (empty, not text, unreadable encoding)."""


class ModelUnavailableError(SummarizerError):
    """A model id or directory that cannot be loaded; `auto` falls back on it."""


class BackendUnavailableError(SummarizerError):
    """The backend's optional dependencies (the [hf] or [fast] extra) are not installed."""
