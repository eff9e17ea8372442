"""Whose data a row of the history is: one API account, as base URL + organization + project.

The same job id cannot mean two different jobs within one account, so (account, job id) keys everything.
The key is never part of it (a cache file must be safe to attach to a bug report), and two keys of one
project share one history. The URL is normalised (scheme and host lower case, no trailing slash) so that
`https://API.openai.com/v1/` and the default are one account.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

DEFAULT_BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True, slots=True)
class Account:
    base_url: str = DEFAULT_BASE_URL
    organization: str = ""
    project: str = ""

    @classmethod
    def of(cls, base_url: str | None, organization: str | None = None, project: str | None = None) -> Account:
        return cls(normalise_url(base_url or DEFAULT_BASE_URL), (organization or "").strip(), (project or "").strip())

    def label(self) -> str:
        """One line for `ftwatch cache info`: the host and path, then organization and project when set."""
        parts = urlsplit(self.base_url)
        where = f"{parts.netloc}{parts.path}" if parts.netloc else self.base_url
        extra = [value for value in (self.organization, self.project) if value]
        return f"{where} ({', '.join(extra)})" if extra else where


def normalise_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return url.strip().rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, ""))
