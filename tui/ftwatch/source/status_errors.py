"""An HTTP error status as the SourceError a user reads: one table for the SDK source and the plain reader.

Retrying is the caller's business; this decides only whether retrying can help (429, 5xx and the few 4xx that
mean "try again") and how to say it calmly. `detail` is the server's own message, already made inert.
"""

from __future__ import annotations

from ftwatch.errors import AuthError, FatalSourceError, NotFoundError, SourceError, TransientSourceError

RETRYABLE_4XX = (408, 409, 425)


def status_error(status: int, retry_after: float | None, detail: str) -> SourceError:
    if status == 429:
        return TransientSourceError("rate limited (429)", retry_after=retry_after, status=429)
    if status >= 500 or status in RETRYABLE_4XX:
        return TransientSourceError(f"server error {status}", retry_after=retry_after, status=status)
    if status in (401, 403):
        return AuthError(f"the API refused the key ({status}){detail}", status=status)
    if status == 404:
        return NotFoundError(f"not found (404){detail}", status=404)
    return FatalSourceError(f"request rejected ({status}){detail}", status=status)
