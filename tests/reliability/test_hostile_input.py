"""Hostile API data through everything that shows it: the log line, `follow`'s plain printer, the summary, the
export, and the TUI's pure views and chart renderer. Whatever the server sends (control sequences, markup,
NaN, strings where numbers belong, null or huge nested `data`, unknown types), nothing raises, every line a
terminal gets is inert, and machine outputs stay valid (strict JSON, well-formed CSV)."""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftwatch.domain.format import MAX_MESSAGE, event_line
from ftwatch.domain.models import Job
from ftwatch.domain.parse import parse_event, parse_job
from ftwatch.domain.snapshot import Connection, LinkState
from ftwatch.domain.text import clean
from ftwatch.domain.tracker import JobTracker
from ftwatch.headless.export import render, rows
from ftwatch.headless.follow import PlainPrinter
from ftwatch.headless.summary import render_text, summarize
from ftwatch.source.openai_source import OpenAISource
from ftwatch.errors import TransientSourceError
from ftwatch.ui import views
from ftwatch.ui.widgets.chart_render import ChartSpec, plot_columns, render_chart
from ftwatch.ui.widgets.event_log import log_line

BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ATTACKS = [
    "\x1b]52;c;RVZJTA==\x07", "\x1b]52;c;RVZJTA==\x1b\\", "\x1b[2J\x1b[H", "\x1b[31;1m", "\x9b2J", "\x1bP1$qm\x1b\\",
    "\x1b]0;title", "\x1b]8;;https://evil.example\x07", "\x1b", "\x1bc", "\x07", "\x08", "\x00", "\x7f", "\x85", "\x9d",
    "\u202e", "\u2066", "\u200f", "\n", "\r\n", "\t", "[bold red]", "[/]", "[link=https://x]", "[$error]", "\ud800",
    "\U000e0041", "\ufeff",
]
hostile_text = st.lists(st.one_of(st.sampled_from(ATTACKS), st.text(max_size=8)), max_size=6).map("".join)
# Any finite float, subnormals and near-overflow magnitudes included (see also the extreme-values test below).
sane_float = st.floats(allow_nan=False, allow_infinity=False)
odd_number = st.one_of(sane_float, st.sampled_from([math.nan, math.inf, -math.inf]), st.integers(-5, 10**6),
                       st.text(max_size=5), st.none(), st.booleans(), st.just([1, 2]), st.just({"a": 1}))
json_leaf = st.one_of(st.none(), st.booleans(), odd_number, hostile_text)
json_value = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(hostile_text, inner, max_size=4)),
                          max_leaves=12)
metrics_data = st.fixed_dictionaries(
    {"step": st.one_of(st.integers(-3, 400), odd_number), "total_steps": odd_number},
    optional={"train_loss": odd_number, "valid_loss": odd_number, "full_valid_loss": odd_number,
              "train_mean_token_accuracy": odd_number, "scores": json_value},
).flatmap(lambda base: st.dictionaries(hostile_text, st.one_of(sane_float, json_value), max_size=3)
          .map(lambda extra: {**extra, **base}))                 # unknown keys: chartable metrics by any name
message = st.one_of(hostile_text,
                    st.builds(lambda s, t, x: f"Step {s}/{t}: training loss={x}", st.integers(0, 500),
                              st.integers(0, 500), st.sampled_from(["1.5", "nan", "inf", "-0", "1e999", "x"])))
common_fields = {
    "created_at": st.one_of(st.integers(-10, 2**63), odd_number),
    "level": st.one_of(st.sampled_from(["info", "warn", "error"]), hostile_text, odd_number),
    "message": st.one_of(message, odd_number),
}
metrics_event = st.fixed_dictionaries({**common_fields, "type": st.sampled_from(["metrics", None]),
                                       "data": st.one_of(metrics_data, st.none(), st.just({}))})
other_event = st.fixed_dictionaries({
    **common_fields,
    "type": st.one_of(st.sampled_from(["metrics", "message", "moderation_checks", None]), hostile_text,
                      st.integers()),
    "data": st.one_of(st.none(), st.just({}), metrics_data, json_value),
})
event_fields = st.one_of(metrics_event, other_event)


def is_inert(text: str, *, lines: bool = False) -> bool:
    """Nothing a terminal acts on: no control character (but newlines between lines), no bidi override."""
    for ch in text:
        if ch == "\n" and lines:
            continue
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI:
            return False
    return True


def tracker_of(raw_events: list[dict], job: Job | None = None) -> JobTracker:
    tracker = JobTracker(job or Job(id="ftjob-fuzz", created_at=1, status="running", model="m"))
    tracker.merge([parse_event(e) for e in reversed(raw_events)])      # the API's order: newest first
    return tracker


def draw_chart(snapshot, log_scale: bool, width: int = 72, height: int = 14) -> list:
    """What LossChart does with a snapshot: the view's series, downsampled to the plot's columns, drawn."""
    data, caption = views.chart_view(snapshot, "loss", None, log_scale)
    columns = plot_columns(width)
    x_range = (0.0, float(data.x_max)) if data.x_max else None

    def reduce(series):
        return series.downsample(columns, x_range) if series is not None and len(series) else None

    spec = ChartSpec(width=width, height=height, raw=reduce(data.raw), smoothed=reduce(data.smoothed),
                     valid=reduce(data.valid), full=reduce(data.full), x_max=data.x_max, epochs=data.epochs,
                     log_scale=log_scale)
    return [caption] + [line.plain for line in render_chart(spec)]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(event_fields, min_size=1, max_size=12))
def test_fuzzed_hostile_events_break_nothing_that_shows_them(fields):
    raw_events = [{"object": "fine_tuning.job.event", "id": f"ftevent-{i}", **f} for i, f in enumerate(fields)]
    tracker = tracker_of(raw_events)
    snapshot = tracker.snapshot(connection=Connection(state=LinkState.OK, last_success=1.0), now=2.0)
    assert [e.id for e in snapshot.new_events] == [e["id"] for e in raw_events]

    shown = [log_line(e) for e in snapshot.new_events]
    out = io.StringIO()
    PlainPrinter(out).print(snapshot)
    shown += out.getvalue().splitlines()
    for log_scale in (False, True):
        shown += draw_chart(snapshot, log_scale)
    header = views.header_view(snapshot, 3.0)
    shown += [header.job_id, header.model, header.badge, header.doing, header.details]
    progress = views.progress_view(snapshot, None)
    shown += [progress.counts, progress.label, progress.metrics]
    row = views.job_row(snapshot.job, snapshot, None)
    shown += [row.name, row.steps, row.spark, row.eta, row.badge]
    assert all(is_inert(line) for line in shown)
    assert all(len(event_line(e)) <= MAX_MESSAGE or e.type == "metrics" for e in snapshot.new_events)

    summary = summarize(snapshot, status=snapshot.job.status)
    json.dumps(summary, allow_nan=False)                     # `summary --json` is strict JSON
    assert is_inert(render_text(summary), lines=True)
    header_row, table = rows(snapshot)
    csv_text = render("csv", header_row, table)
    assert is_inert(csv_text, lines=True)
    parsed = list(csv.reader(io.StringIO(csv_text)))
    assert len(parsed) == 1 + len(table) and all(len(r) == len(parsed[0]) for r in parsed)
    for line in render("jsonl", header_row, table).splitlines():
        json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in JSON lines"))


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "model", "status", "user_provided_suffix", "fine_tuned_model",
                                        "metadata", "hyperparameters", "error", "trained_tokens", "finished_at",
                                        "created_at", "result_files", "method"]), json_value, max_size=10))
def test_fuzzed_hostile_job_objects_render_inert(job_fields):
    job = parse_job({"id": "ftjob-x", **job_fields})
    tracker = tracker_of([], job)
    snapshot = tracker.snapshot(connection=Connection(state=LinkState.RETRYING, message="server error 503",
                                                      retry_at=9.0), now=2.0)
    header = views.header_view(snapshot, 3.0)
    row = views.job_row(job, snapshot, None)
    for text in (header.job_id, header.model, header.fine_tuned, header.badge, header.doing, header.details,
                 row.name, row.badge, row.eta, render_text(summarize(snapshot, status=job.status))):
        assert is_inert(text, lines=True)


def test_an_over_long_message_is_cut_for_display_and_kept_whole_in_the_event():
    message = "start " + "x" * 20_000 + " END"
    event = parse_event({"id": "ftevent-long", "created_at": 1, "level": "info", "message": message,
                         "type": "message", "data": {}})
    line = event_line(event)
    assert len(line) == MAX_MESSAGE and line.endswith("…") and line.startswith("start ")
    assert event.message == message and event.raw["message"] == message       # --json and exports print raw


@pytest.mark.parametrize(("text", "shown"), [
    ("tag\U000e0041\U000e0042 characters smuggle invisible text", "tag characters smuggle invisible text"),
    ("\ufeffbyte-order mark", "byte-order mark"),
    ("shaping \u206acontrols\u206f", "shaping controls"),
    ("annotation \ufff9base\ufffaruby\ufffb", "annotation baseruby"),
    ("emoji 👨\u200d👩\u200d👧 keep their joiners", "emoji 👨\u200d👩\u200d👧 keep their joiners"),
])
def test_invisible_format_characters_are_dropped_but_emoji_survive(text, shown):
    assert clean(text) == shown


class _DeepBodyClient:
    """Just enough of AsyncOpenAI for `list_events`: every page is a body nested far past the JSON parser's
    stack (json.loads raises RecursionError, not ValueError)."""

    class _Raw:
        content = b'{"data": ' + b"[" * 200_000 + b"]" * 200_000 + b', "has_more": false}'

    def __init__(self) -> None:
        self.fine_tuning = self
        self.jobs = self
        self.with_raw_response = self

    async def list_events(self, job_id, **options):
        return self._Raw()


async def test_a_body_nested_too_deeply_is_a_retryable_fault_not_a_crash():
    source = OpenAISource(_DeepBodyClient(), description="hostile")
    with pytest.raises(TransientSourceError, match="nested too deeply"):
        await source.list_events("ftjob-x")


@pytest.mark.parametrize("values", [[1e308, -1e308, 0.5], [5e-324, 1e-323, 5e-324], [5e-324, 1e-320, 0.5]],
                         ids=["huge_span", "subnormal_span", "subnormal_log_scale"])
def test_extreme_but_finite_losses_do_not_break_the_chart(values):
    raw_events = [{"object": "fine_tuning.job.event", "id": f"ftevent-{i}", "created_at": i, "level": "info",
                   "message": "", "type": "metrics", "data": {"step": i + 1, "total_steps": 3, "train_loss": v}}
                  for i, v in enumerate(values)]
    snapshot = tracker_of(raw_events).snapshot(connection=Connection(state=LinkState.OK), now=1.0)
    for log_scale in (False, True):
        assert len(draw_chart(snapshot, log_scale)) == 15
