"""Two read-only GETs without the openai SDK, for the commands that must answer in well under a second.

`ftwatch status --oneline` runs every few seconds from tmux's status line, and `ftwatch jobs` from scripts.
Importing the openai SDK alone takes 0.5 s on an idle machine (2 s measured on a busy 2-core one): more than
the whole budget of a status line. Both commands need only the jobs list and one newest events page per
running job, so this module asks for them with the standard library: the URLs and headers the SDK would send
(OpenAI: `Authorization: Bearer`, `OpenAI-Organization`, `OpenAI-Project`; Azure: `api-key` and
`/openai/...?api-version=`), the same mapping of failures onto `ftwatch.errors` as openai_source.py (server text
cleaned, our key masked), and each API dict kept verbatim in `.raw` (`ftwatch jobs --json` prints it as is).

The events pages of several running jobs are asked at once, from a few threads (urllib blocks). Nothing here
retries: tmux asks again in a few seconds, and `jobs` decides for itself (see headless/jobs_cmd.py).
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Mapping, Sequence

from ftwatch import __version__
from ftwatch.config import Settings
from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.models import Job
from ftwatch.domain.parse import parse_job
from ftwatch.domain.text import clean
from ftwatch.errors import SourceError, TransientSourceError
from ftwatch.source.backoff import parse_retry_after
from ftwatch.source.base import EventPage, UnreachableError
from ftwatch.source.status_errors import status_error

DEFAULT_BASE_URL = "https://api.openai.com/v1"
PAGE_LIMIT = 100           # the API's largest jobs page
MAX_THREADS = 8            # running jobs' pages asked at once
_MAX_MESSAGE = 200
_MAX_BODY = 64 * 1024 * 1024


class RestReader:
    """GET the jobs list and events pages; `settings.require_credentials()` must hold (it is checked here)."""

    def __init__(self, settings: Settings, *, timeout: float | None = None) -> None:
        settings.require_credentials()
        self.description = settings.description
        self._timeout = settings.timeout if timeout is None else timeout
        if settings.is_azure:
            assert settings.azure_endpoint is not None and settings.azure_api_key is not None
            self._root = settings.azure_endpoint.rstrip("/") + "/openai"
            self._query = {"api-version": settings.api_version or ""}
            self._headers = {"api-key": settings.azure_api_key.reveal()}
            secret = settings.azure_api_key.reveal()
        else:
            assert settings.api_key is not None
            self._root = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
            self._query = {}
            self._headers = {"Authorization": f"Bearer {settings.api_key.reveal()}"}
            if settings.organization:
                self._headers["OpenAI-Organization"] = settings.organization
            if settings.project:
                self._headers["OpenAI-Project"] = settings.project
            secret = settings.api_key.reveal()
        self._headers.update({"Accept": "application/json", "User-Agent": f"ftwatch/{__version__}"})
        self._secrets = (secret,)

    def __repr__(self) -> str:                      # never the headers: they hold the key
        return f"RestReader({self.description!r})"

    # --- the two requests ---------------------------------------------------------------------------------
    def jobs_page(self, *, after: str | None = None, limit: int = PAGE_LIMIT) -> tuple[list[Job], bool]:
        """One page of the account's jobs, newest first, and whether older ones follow."""
        query = {"limit": str(limit)} | ({"after": after} if after else {})
        data, has_more = _page(self._get("/fine_tuning/jobs", query))
        return [parse_job(item) for item in data], has_more

    def events_page(self, job_id: str, *, limit: int) -> EventPage:
        """The newest `limit` events of a job, newest first (as `JobSource.list_events` gives them)."""
        path = f"/fine_tuning/jobs/{urllib.parse.quote(job_id, safe='')}/events"
        data, has_more = _page(self._get(path, {"limit": str(limit)}))
        return EventPage(events=ApiEvents(data), has_more=has_more)

    def events_pages(self, job_ids: Sequence[str], *, limit: int) -> dict[str, EventPage | SourceError]:
        """Each job's newest page, asked at once: one request per job; a job whose request failed maps to its
        error (the others still count)."""
        def one(job_id: str) -> EventPage | SourceError:
            try:
                return self.events_page(job_id, limit=limit)
            except SourceError as error:
                return error

        if len(job_ids) <= 1:
            return {job_id: one(job_id) for job_id in job_ids}
        with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(job_ids))) as pool:
            return dict(zip(job_ids, pool.map(one, job_ids)))

    # --- plumbing -----------------------------------------------------------------------------------------
    def _get(self, path: str, query: Mapping[str, str]) -> Any:
        url = f"{self._root}{path}?{urllib.parse.urlencode({**query, **self._query})}"
        request = urllib.request.Request(url, headers=self._headers, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                body = response.read(_MAX_BODY)
        except urllib.error.HTTPError as exc:
            raise self._status_error(exc) from None
        except (TimeoutError, socket.timeout):
            raise TransientSourceError("request timed out") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise TransientSourceError("request timed out") from None
            raise UnreachableError(self._say(f"cannot reach {self.description} ({reason})")) from None
        except (OSError, ValueError) as exc:        # a reset mid-body, a malformed URL or header
            raise UnreachableError(self._say(f"cannot reach {self.description} ({exc})")) from None
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise TransientSourceError("malformed response (not JSON)") from None
        except RecursionError:
            raise TransientSourceError("malformed response (nested too deeply)") from None

    def _status_error(self, exc: urllib.error.HTTPError) -> SourceError:
        return status_error(exc.code, parse_retry_after(exc.headers), self._detail(exc))

    def _detail(self, exc: urllib.error.HTTPError) -> str:
        try:
            body = json.loads(exc.read(1024 * 1024))
        except (OSError, ValueError, RecursionError):
            return ""
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        return f": {self._say(message)}" if isinstance(message, str) and message else ""

    def _say(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return clean(text, max_len=_MAX_MESSAGE)


def _page(body: Any) -> tuple[list[dict], bool]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise TransientSourceError("malformed response (expected a list page)")
    return data, body.get("has_more") is True
