"""The errors ftwatch raises across layers, so the UI and CLI never see an SDK or HTTP exception.

    FtwatchError                 every error has a short `title` and a one-line `message`
    ├── ConfigError              bad flags, missing key, unreadable file: the user must fix something (exit 2)
    └── SourceError              something went wrong talking to the API
        ├── TransientSourceError   retry later: 429, 5xx, timeouts, dropped connections, bad JSON
        │                          (`retry_after` is the server's hint in seconds, if it gave one)
        └── FatalSourceError       retrying cannot help (exit 4)
            ├── AuthError          401 / 403: the key is wrong or lacks access
            └── NotFoundError      404: unknown job or file id

`source/openai_source.py` is the only place that maps SDK exceptions onto this tree.
"""

from __future__ import annotations


class FtwatchError(Exception):
    """Base class: carries a title for dialogs and a message that fits on one line."""

    title = "Error"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class ConfigError(FtwatchError):
    title = "Configuration"


class SourceError(FtwatchError):
    title = "API"


class TransientSourceError(SourceError):
    def __init__(self, message: str, *, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class FatalSourceError(SourceError):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(FatalSourceError):
    title = "Authentication"


class NotFoundError(FatalSourceError):
    title = "Not found"
