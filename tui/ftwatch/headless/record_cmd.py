"""`ftwatch record JOB_ID -o FILE`: a job as a simulator scenario, to hand to a colleague or attach to a bug report.

`ftwatch sim --scenario FILE` serves the recording back as the API served it, so `ftwatch follow JOB_ID --json`
against the replayed simulator prints byte for byte what it printed against the original account. That holds
because nothing here is re-built from parsed fields: the job object is `Job.raw`, every event is the dict its
page carried (all pages, newest first as the API lists them), the checkpoints are their served dicts, and the
result file is its decoded CSV (so `summary`, `export` and the chart work on the replay). The simulator serves
given fields verbatim (sim/recorded.py) and infers only what a recording lacks.

The format is the scenario format of sim/scenario.py, `{"jobs": [{"job", "events", "checkpoints",
"result_csv"}]}`, plus a top-level `recorded` object (when, from where, by which version) that the simulator
ignores. The file is written whole or not at all (a temp file beside it, renamed), and where it goes is checked
before the first request, so a typo'd directory costs no download. `-o -` writes to stdout.

`--offline` records from the local history instead (what earlier runs stored), making no request at all.

Requests are retried with the usual back-off on transient errors (a notice on stderr per retry); a 401/404 is
one line and exit 4, as for every command.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import IO, Any, Awaitable, Callable, Sequence, TypeVar

from ftwatch import __version__
from ftwatch.config import Settings
from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.format import human_duration
from ftwatch.domain.models import Checkpoint, Job, JobEvent
from ftwatch.domain.text import clean
from ftwatch.errors import ConfigError, FatalSourceError, NotFoundError, TransientSourceError
from ftwatch.headless.common import EXIT_OK, Runtime, open_source
from ftwatch.source.base import JobSource
from ftwatch.source.catchup import EventCatchUp

ATTEMPTS = 6               # transient failures in a row before a record gives up (exit 4)
T = TypeVar("T")


class _NothingKnown:
    """The catch-up's view of what we hold: nothing, so it walks every page down to the oldest event."""

    def knows(self, event_id: str) -> bool:
        return False


async def record(settings: Settings, job_id: str, output: str, *, runtime: Runtime | None = None) -> int:
    runtime = runtime or Runtime(out=sys.stdout, err=sys.stderr)
    target = _Target.open(output, runtime.out)
    try:
        if getattr(settings, "offline", False):
            document = await _from_history(settings, job_id, runtime)
        else:
            source, owned = open_source(settings, runtime)
            try:
                document = await read_recording(source, job_id, runtime, clock=runtime.clock)
            finally:
                if owned:
                    await source.aclose()
        target.write(document)
    finally:
        target.discard()
    job = document["jobs"][0]
    parts = [f"{len(job.get('events', []))} events", f"{len(job.get('checkpoints', []))} checkpoints"]
    if "result_csv" in job:
        parts.append("result file")
    where = "stdout" if output == "-" else output
    _say(runtime, f"recorded {clean(job_id)} ({clean(str(job['job'].get('status')))}; {', '.join(parts)}) to "
                  f"{clean(where)}")
    return EXIT_OK


async def _from_history(settings: Settings, job_id: str, runtime: Runtime) -> dict[str, Any]:
    """`--offline`: the same document read from the local history (source/offline_source.py), no request made.
    Its checkpoints are rebuilt from their fields (the history keeps no checkpoint dicts)."""
    import asyncio

    from ftwatch.headless.common import open_history

    history, history_owned = open_history(settings, runtime)
    try:
        source, owned = open_source(settings, runtime, history)     # type: ignore[call-arg]
        try:
            return await read_recording(source, job_id, runtime, clock=runtime.clock)
        finally:
            if owned:
                await source.aclose()
    finally:
        if history_owned and history is not None:
            await asyncio.to_thread(history.close)


async def read_recording(source: JobSource, job_id: str, runtime: Runtime, *,
                         clock: Callable[[], float]) -> dict[str, Any]:
    """The scenario document of one job, read from `source` (the API, or anything with the JobSource methods)."""
    job = await _patiently(runtime, f"job {job_id}", lambda: source.get_job(job_id))
    catchup = EventCatchUp(source, job_id)
    chunk = await _patiently(runtime, f"events of {job_id}", lambda: catchup.fetch(_NothingKnown(), backfill=True))
    entry: dict[str, Any] = {"job": _job_dict(job), "events": event_dicts(chunk.events)}
    if not entry["events"]:
        del entry["events"]         # a scenario's event list is never empty: without one the job object is served
    checkpoints = await _unless_uncached(source, runtime, f"checkpoints of {job_id}",
                                         lambda: source.list_checkpoints(job_id))
    if checkpoints is not None:
        entry["checkpoints"] = [checkpoint_dict(ck, job_id) for ck in newest_first(checkpoints)]
    if job.result_files:
        file_id = job.result_files[0]
        csv_text = await _unless_uncached(source, runtime, f"result file {file_id}", lambda: source.result_csv(file_id))
        if csv_text is not None:
            entry["result_csv"] = csv_text
    recorded = {"by": f"ftwatch {__version__}", "at": int(clock()), "from": getattr(source, "description", "api"),
                "job": job_id}
    return {"recorded": recorded, "jobs": [entry]}


def document_text(document: dict[str, Any]) -> str:
    """The JSON text: one event or checkpoint per line (diffable, greppable), ASCII-escaped (safe to `cat`)."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=True)

    def rows(items: list[Any]) -> str:
        return "[\n" + ",\n".join(f"   {dump(item)}" for item in items) + "]" if items else "[]"

    entries = []
    for entry in document["jobs"]:
        parts = [f'{dump(key)}: {rows(value) if key in ("events", "checkpoints") else dump(value)}'
                 for key, value in entry.items()]
        entries.append("{" + ",\n  ".join(parts) + "}")
    return f'{{"recorded": {dump(document["recorded"])},\n "jobs": [' + ",\n  ".join(entries) + "]}\n"


async def _unless_uncached(source: JobSource, runtime: Runtime, what: str, call: Callable[[], Awaitable[T]]) -> T | None:
    """`--offline`: a part the history never saw is left out with a notice (the simulator then infers it from the
    events, as for any scenario without it), not a failed record. From the API a 404 here is an error as ever."""
    try:
        return await _patiently(runtime, what, call)
    except NotFoundError:
        if not getattr(source, "offline", False):
            raise
        _say(runtime, f"offline: the local history has no {clean(what)}; the recording leaves it out")
        return None


def _job_dict(job: Job) -> dict[str, Any]:
    if not job.raw:
        raise FatalSourceError(f"{job.id}: the source gave no job object to record")
    return dict(job.raw)


def event_dicts(events: Sequence[JobEvent]) -> list[dict[str, Any]]:
    """Each event's dict as its page carried it, newest first (the pages' order)."""
    if isinstance(events, ApiEvents):
        return list(events.dicts)
    return [dict(event.raw) or _event_fields(event) for event in events]


def _event_fields(event: JobEvent) -> dict[str, Any]:
    """Only for an event built without its API dict (a test's in-memory source): the fields the API sends."""
    return {"object": "fine_tuning.job.event", "id": event.id, "created_at": event.created_at,
            "level": event.level, "message": event.message, "type": event.type, "data": event.data}


def newest_first(checkpoints: Sequence[Checkpoint]) -> list[Checkpoint]:
    """The API lists checkpoints newest first, and the simulator serves them in the order given; the local
    history hands them back oldest first."""
    items = list(checkpoints)
    if len(items) > 1 and (items[0].step_number, items[0].created_at) < (items[-1].step_number, items[-1].created_at):
        items.reverse()
    return items


def checkpoint_dict(checkpoint: Checkpoint, job_id: str) -> dict[str, Any]:
    if checkpoint.raw:
        return dict(checkpoint.raw)
    return {"object": "fine_tuning.job.checkpoint", "id": checkpoint.id, "created_at": checkpoint.created_at,
            "fine_tuned_model_checkpoint": checkpoint.fine_tuned_model_checkpoint, "fine_tuning_job_id": job_id,
            "metrics": dict(checkpoint.metrics), "step_number": checkpoint.step_number}


async def _patiently(runtime: Runtime, what: str, call: Callable[[], Awaitable[T]]) -> T:
    """`call()`, retried with back-off on transient errors; after ATTEMPTS of them a FatalSourceError (exit 4)."""
    attempt = 0
    while True:
        try:
            return await call()
        except TransientSourceError as error:
            attempt += 1
            if attempt >= ATTEMPTS:
                raise FatalSourceError(f"{error.message} (reading the {what}; gave up after {ATTEMPTS} attempts)"
                                       ) from None
            wait = runtime.backoff.delay(attempt, error.retry_after)
            _say(runtime, f"{clean(error.message)}; retrying in {human_duration(max(1, round(wait)))} "
                          f"(attempt {attempt})")
            await runtime.sleep(wait)


def _say(runtime: Runtime, text: str) -> None:
    print(f"ftwatch: {text}", file=runtime.err, flush=True)


class _Target:
    """Where the recording goes: a temp file beside FILE (so an unwritable place fails before any request, and a
    failed record leaves no half file), renamed over FILE once whole; or stdout for `-`."""

    def __init__(self, path: str | None, handle: IO[str], temp: str | None) -> None:
        self.path, self.handle, self.temp = path, handle, temp

    @classmethod
    def open(cls, output: str, stdout: IO[str]) -> _Target:
        if output == "-":
            return cls(None, stdout, None)
        if os.path.isdir(output):
            raise ConfigError(f"{output}: is a directory; give a file name (-o {os.path.join(output, 'job.json')})")
        directory = os.path.dirname(os.path.abspath(output))
        try:
            fd, temp = tempfile.mkstemp(prefix=".ftwatch-record-", suffix=".tmp", dir=directory)
        except OSError as exc:
            raise ConfigError(f"{output}: cannot write there ({exc.strerror or exc})") from None
        return cls(output, os.fdopen(fd, "w", encoding="utf-8"), temp)

    def write(self, document: dict[str, Any]) -> None:
        try:
            self.handle.write(document_text(document))
            self.handle.flush()
            if self.path is not None and self.temp is not None:
                self.handle.close()
                os.replace(self.temp, self.path)
                self.temp = None
        except OSError as exc:
            raise ConfigError(f"{self.path or 'stdout'}: cannot write the recording ({exc.strerror or exc})") from None

    def discard(self) -> None:
        if self.temp is None:
            return
        try:
            self.handle.close()
            os.unlink(self.temp)
        except OSError:
            pass
        self.temp = None
