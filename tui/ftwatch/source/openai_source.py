"""The JobSource over the official SDK (`AsyncOpenAI` / `AsyncAzureOpenAI`): the one module that imports openai.

Every call goes through the SDK's `with_raw_response` form and the JSON body is decoded here, so each domain
object keeps the exact dict the API sent in `.raw` (`ftwatch follow --json` prints events byte-for-byte in
meaning: same keys, same values, unknown fields included), and a body that is not JSON is a retryable fault
instead of a crash deep in pydantic.

SDK exceptions never leave this module: `_translate` maps them onto `ftwatch.errors` with a calm one-line
message (server text cleaned of control characters, any configured secret masked).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Awaitable, Callable, Iterable

import openai

from ftwatch.domain.models import Checkpoint, Job
from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.parse import parse_checkpoint, parse_job
from ftwatch.domain.metrics.result_file import ResultFileError
from ftwatch.domain.metrics.result_file import decode_result_file as domain_decode_result_file
from ftwatch.domain.text import clean
from ftwatch.errors import FatalSourceError, SourceError, TransientSourceError
from ftwatch.source.backoff import parse_retry_after
from ftwatch.source.base import EventPage, UnreachableError
from ftwatch.source.status_errors import status_error

log = logging.getLogger("ftwatch.source")

LIST_LIMIT = 100          # jobs and checkpoints per page when walking all pages
MAX_PAGES = 10_000        # a server whose has_more never turns false must not keep us walking forever
_MAX_MESSAGE = 200


class OpenAISource:
    """JobSource over an SDK client built with `max_retries=0` (see source/client.py)."""

    def __init__(self, client: Any, *, description: str | None = None, secrets: Iterable[str] = ()) -> None:
        self._client = client
        self._secrets = tuple(s for s in secrets if s)
        self.description = description or (getattr(client, "base_url", None) and client.base_url.host) or "api"

    # --- JobSource -------------------------------------------------------------------------------------------

    async def list_jobs(self) -> list[Job]:
        jobs = self._client.fine_tuning.jobs
        items = await self._all_pages("list jobs",
                                      lambda after: jobs.with_raw_response.list(after=_opt(after), limit=LIST_LIMIT))
        return [parse_job(item) for item in items]

    async def get_job(self, job_id: str) -> Job:
        jobs = self._client.fine_tuning.jobs
        body = await self._call(f"get job {job_id}", lambda: jobs.with_raw_response.retrieve(job_id))
        return parse_job(_object(body))

    async def list_events(self, job_id: str, *, after: str | None = None, limit: int = 100) -> EventPage:
        body = await self._call(
            f"events {job_id} after={after} limit={limit}",
            lambda: self._client.fine_tuning.jobs.with_raw_response.list_events(job_id, after=_opt(after), limit=limit),
        )
        data, has_more = _page(body)
        return EventPage(events=ApiEvents(data), has_more=has_more)     # parsed only where read

    async def list_checkpoints(self, job_id: str) -> list[Checkpoint]:
        checkpoints = self._client.fine_tuning.jobs.checkpoints
        items = await self._all_pages(
            f"checkpoints {job_id}",
            lambda after: checkpoints.with_raw_response.list(job_id, after=_opt(after), limit=LIST_LIMIT),
        )
        return [parse_checkpoint(item) for item in items]

    async def result_csv(self, file_id: str) -> str:
        content = await self._call(
            f"file content {file_id}", lambda: self._client.files.with_raw_response.content(file_id), decode=False
        )
        return decode_result_file(content)

    async def cancel_job(self, job_id: str) -> Job:
        jobs = self._client.fine_tuning.jobs
        body = await self._call(f"cancel {job_id}", lambda: jobs.with_raw_response.cancel(job_id))
        return parse_job(_object(body))

    async def pause_job(self, job_id: str) -> Job:
        jobs = self._client.fine_tuning.jobs
        body = await self._call(f"pause {job_id}", lambda: jobs.with_raw_response.pause(job_id))
        return parse_job(_object(body))

    async def resume_job(self, job_id: str) -> Job:
        jobs = self._client.fine_tuning.jobs
        body = await self._call(f"resume {job_id}", lambda: jobs.with_raw_response.resume(job_id))
        return parse_job(_object(body))

    async def aclose(self) -> None:
        await self._client.close()

    # --- plumbing --------------------------------------------------------------------------------------------

    async def _all_pages(self, what: str, fetch_page: Callable[[str | None], Awaitable[Any]]) -> list[dict]:
        """Walk `after` cursors to the oldest item, each item once.

        `has_more` is not trusted alone: a full page is followed even when it says false (one cheap request
        to confirm), and the walk stops at an empty page or at a cursor seen before, whatever it says."""
        items: list[dict] = []
        seen_ids: set[object] = set()
        after: str | None = None
        for _ in range(MAX_PAGES):
            body = await self._call(what, lambda: fetch_page(after))
            data, has_more = _page(body)
            fresh = [item for item in data if item.get("id") not in seen_ids]
            seen_ids.update(item.get("id") for item in fresh)
            items.extend(fresh)
            cursor = data[-1].get("id") if data else None
            if not fresh or not isinstance(cursor, str) or not (has_more or len(data) >= LIST_LIMIT):
                break
            after = cursor
        return items

    async def _call(self, what: str, request: Callable[[], Awaitable[Any]], *, decode: bool = True) -> Any:
        started = time.monotonic()
        try:
            raw = await request()
            content = raw.content
            result = _decode_json(content) if decode else content
        except openai.OpenAIError as exc:
            error = self._translate(exc)
            log.debug("%s -> %s (%.0f ms)", what, error.message, (time.monotonic() - started) * 1000)
            raise error from None
        except TransientSourceError as error:
            log.debug("%s -> %s", what, error.message)
            raise
        log.debug("%s -> ok (%.0f ms)", what, (time.monotonic() - started) * 1000)
        return result

    def _translate(self, exc: openai.OpenAIError) -> SourceError:
        if isinstance(exc, openai.APITimeoutError):
            return TransientSourceError("request timed out")
        if isinstance(exc, openai.APIConnectionError):
            return UnreachableError(self._say(f"cannot reach {self.description}{_cause(exc)}"))
        if isinstance(exc, openai.APIStatusError):
            return status_error(exc.status_code, parse_retry_after(exc.response.headers), self._detail(exc))
        return FatalSourceError(self._say(f"unexpected SDK error: {type(exc).__name__}"))

    def _detail(self, exc: Any) -> str:
        body = exc.body if isinstance(exc.body, dict) else {}
        message = body.get("message") if isinstance(body.get("message"), str) else None
        return f": {self._say(message)}" if message else ""

    def _say(self, text: str) -> str:
        """Server text made safe for one line on a terminal, with any secret of ours masked."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return clean(text, max_len=_MAX_MESSAGE)


def decode_result_file(content: bytes) -> str:
    """The Files API serves result CSVs base64-encoded on one line; a decoded CSV starts with `step`."""
    try:
        return domain_decode_result_file(content)
    except ResultFileError as exc:
        raise FatalSourceError(f"the result file is unreadable: {exc.message}") from None


def _decode_json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise TransientSourceError("malformed response (not JSON)") from None
    except RecursionError:      # nested deeper than the parser's stack: a hostile body, not a crash
        raise TransientSourceError("malformed response (nested too deeply)") from None


def _object(body: Any) -> dict:
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise TransientSourceError("malformed response (expected an object with an id)")
    return body


def _page(body: Any) -> tuple[list[dict], bool]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise TransientSourceError("malformed response (expected a list page)")
    return data, body.get("has_more") is True


def _opt(value: str | None) -> Any:
    return openai.omit if value is None else value


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__
    if cause is None:
        return ""
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return f" ({text})"
