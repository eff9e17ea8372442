"""Routes of the fine-tuning REST API -> responses in OpenAI's exact shapes. No sockets here.

Decisions where the real API is not documented (listed in the issue note too):
- `limit` is clamped to [1, 10000]; a non-integer `limit` gets a 400 in the real error envelope.
- An unknown `after` id gets an empty page (`has_more: false`), the gentlest reading of a cursor that
  points nowhere; real ids never vanish, so a correct client never sees this.
- Unknown job: 404 "No such fine-tuning job: <id>" (wording modelled on the verified Files 404).
- Unknown route: 404 "Invalid URL (GET /v1/...)", as the real API answers.
- Azure paths (`/openai/fine_tuning/...?api-version=`, `/openai/v1/...`) and the `api-key` header work.
- A create body is parsed as strict JSON, then checked field by field (create_request.py) before a job exists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ftwatch.sim.errors import ApiError
from ftwatch.sim.resultfile import encode
from ftwatch.sim.world import World

MAX_LIMIT = 10_000
_PREFIXES = ("/openai/v1", "/v1", "/openai")
_JOB = r"(?P<job>[^/]+)"
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/fine_tuning/jobs/?$"), "list_jobs"),
    ("POST", re.compile(r"^/fine_tuning/jobs/?$"), "create_job"),
    ("GET", re.compile(rf"^/fine_tuning/jobs/{_JOB}/?$"), "retrieve_job"),
    ("GET", re.compile(rf"^/fine_tuning/jobs/{_JOB}/events/?$"), "list_events"),
    ("GET", re.compile(rf"^/fine_tuning/jobs/{_JOB}/checkpoints/?$"), "list_checkpoints"),
    ("POST", re.compile(rf"^/fine_tuning/jobs/{_JOB}/cancel/?$"), "cancel"),
    ("POST", re.compile(rf"^/fine_tuning/jobs/{_JOB}/pause/?$"), "pause"),
    ("POST", re.compile(rf"^/fine_tuning/jobs/{_JOB}/resume/?$"), "resume"),
    ("GET", re.compile(r"^/files/(?P<file>[^/]+)/?$"), "retrieve_file"),
    ("GET", re.compile(r"^/files/(?P<file>[^/]+)/content/?$"), "file_content"),
]
_NO_KEY = ("You didn't provide an API key. You need to provide your API key in an Authorization header using "
           "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if "
           "you're accessing the API from your browser and are prompted for a username and password. You can "
           "obtain an API key from https://platform.openai.com/account/api-keys.")


@dataclass
class Response:
    status: int
    body: dict[str, Any] | bytes
    content_type: str = "application/json"
    is_page: bool = False              # a list page: the "empty" and "lying-has-more" faults apply
    headers: dict[str, str] = field(default_factory=dict)


def mask_key(key: str) -> str:
    """How the real 401 echoes a wrong key: a short prefix, stars, the last four characters."""
    if len(key) < 8:
        return "*" * len(key)
    return key[:3] + "*" * min(len(key) - 7, 40) + key[-4:]


def api_path(path: str) -> str | None:
    for prefix in _PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return path[len(prefix):] or "/"
    return None


class Api:
    def __init__(self, world: World, api_key: str | None = None) -> None:
        self.world = world
        self._api_key = api_key

    def handle(self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str],
               body: bytes = b"") -> Response:
        try:
            self._authenticate(headers)
            route = api_path(path)
            for verb, pattern, name in _ROUTES:
                match = pattern.match(route or "")
                if route is not None and verb == method.upper() and match:
                    return getattr(self, name)(query=query, body=body, **match.groupdict())
            raise ApiError(404, f"Invalid URL ({method.upper()} {path})")
        except ApiError as err:
            return Response(err.status, err.envelope())

    def _authenticate(self, headers: Mapping[str, str]) -> None:
        if self._api_key is None:
            return
        lowered = {k.lower(): v for k, v in headers.items()}
        auth = lowered.get("authorization", "")
        given = auth[7:].strip() if auth.lower().startswith("bearer ") else lowered.get("api-key", "").strip()
        if not given:
            raise ApiError(401, _NO_KEY)
        if given != self._api_key:
            raise ApiError(401, f"Incorrect API key provided: {mask_key(given)}. You can find your API key at "
                                "https://platform.openai.com/account/api-keys.", code="invalid_api_key")

    # --- list endpoints ----------------------------------------------------------------------
    def list_jobs(self, *, query: Mapping[str, str], body: bytes) -> Response:
        jobs = [j for j in self.world.jobs_json() if _metadata_matches(j, query)]
        data, has_more = _page(jobs, query.get("after"), _limit(query, 20))
        return Response(200, {"object": "list", "data": data, "has_more": has_more}, is_page=True)

    def list_events(self, *, job: str, query: Mapping[str, str], body: bytes) -> Response:
        events = self.world.events_json(job)
        data, has_more = _page(events, query.get("after"), _limit(query, 20))
        return Response(200, {"object": "list", "data": data, "has_more": has_more}, is_page=True)

    def list_checkpoints(self, *, job: str, query: Mapping[str, str], body: bytes) -> Response:
        checkpoints = self.world.checkpoints_json(job)
        data, has_more = _page(checkpoints, query.get("after"), _limit(query, 10))
        return Response(200, {"object": "list", "data": data, "has_more": has_more,
                              "first_id": data[0]["id"] if data else None,
                              "last_id": data[-1]["id"] if data else None}, is_page=True)

    # --- jobs --------------------------------------------------------------------------------
    def retrieve_job(self, *, job: str, query: Mapping[str, str], body: bytes) -> Response:
        return Response(200, self.world.job_json(job))

    def create_job(self, *, query: Mapping[str, str], body: bytes) -> Response:
        return Response(200, self.world.create_from_request(_json_body(body)))

    def cancel(self, *, job: str, query: Mapping[str, str], body: bytes) -> Response:
        return Response(200, self.world.cancel(job))

    def pause(self, *, job: str, query: Mapping[str, str], body: bytes) -> Response:
        return Response(200, self.world.pause(job))

    def resume(self, *, job: str, query: Mapping[str, str], body: bytes) -> Response:
        return Response(200, self.world.resume(job))

    # --- files -------------------------------------------------------------------------------
    def retrieve_file(self, *, file: str, query: Mapping[str, str], body: bytes) -> Response:
        return Response(200, self.world.result_file(file).file)

    def file_content(self, *, file: str, query: Mapping[str, str], body: bytes) -> Response:
        return Response(200, encode(self.world.result_file(file).csv), content_type="application/octet-stream")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_body(body: bytes) -> Any:
    """Strict JSON, as a real server parses it: no NaN/Infinity, no lone surrogates (they cannot be sent back
    as UTF-8), nothing nested too deep for the parser."""
    try:
        payload = json.loads(body or b"{}", parse_constant=_reject_constant)
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):      # JSONDecodeError, UnicodeError and over-long integers are ValueErrors
        raise ApiError(400, "We could not parse the JSON body of your request. The OpenAI API expects a "
                            "JSON payload, but what was sent was not valid JSON.") from None
    return payload


def _limit(query: Mapping[str, str], default: int) -> int:
    raw = query.get("limit")
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid 'limit': expected an integer, but got {raw!r} instead.", param="limit",
                       code="invalid_type") from None
    return max(1, min(MAX_LIMIT, value))


def _page(items: list[dict[str, Any]], after: str | None, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """`items` newest first; `after` is the id of the last item of the previous page (walk older)."""
    start = 0
    if after:
        position = next((i for i, item in enumerate(items) if item.get("id") == after), None)
        if position is None:
            return [], False
        start = position + 1
    return items[start:start + limit], start + limit < len(items)


def _metadata_matches(job: dict[str, Any], query: Mapping[str, str]) -> bool:
    """`metadata[k]=v` must all match; `metadata=null` selects jobs without metadata."""
    if query.get("metadata") == "null":
        return not job.get("metadata")
    wanted = {k[9:-1]: v for k, v in query.items() if k.startswith("metadata[") and k.endswith("]")}
    metadata = job.get("metadata") or {}
    return all(metadata.get(k) == v for k, v in wanted.items())
