"""The TUI's pure parts: wording, line diffs, chart drawing, notices, and the partial-update crop."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from ftwatch.domain.models import Job, JobEvent, Phase
from ftwatch.domain.snapshot import Connection, LinkState
from ftwatch.ui import partial_updates, views
from ftwatch.ui import presentation as p
from ftwatch.ui.notices import desktop_notification, run_notify_command
from ftwatch.ui.widgets.chart_render import ChartSpec, nice_limits, render_chart
from ftwatch.ui.widgets.diff_lines import changed_spans
from ftwatch.domain.events.log_thinning import keep_in_log
from ftwatch.ui.widgets.event_log import log_line
from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from textual import _compositor
from textual.strip import Strip


def test_every_phase_has_a_symbol_and_a_word_so_colour_is_never_alone():
    symbols = set()
    for phase in Phase:
        symbol, word = p.BADGES[phase]
        assert symbol.strip() and word.strip() and phase in p.TONES
        symbols.add(symbol)
    assert len(symbols) == len(Phase)
    assert p.badge(Phase.UNKNOWN, "exploding[bold]") == "? exploding[b…"     # its own word, cleaned, short


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "not updated yet"), (0.4, "updated just now"), (3.9, "updated seconds ago"), (37, "updated 30 s ago"),
    (61, "updated 1 min ago"), (7300, "updated 2 h ago"),
])
def test_ages_are_coarse_so_a_quiet_screen_stays_quiet(seconds, text):
    assert p.age_text(seconds) == text


def test_link_text_says_what_happens_and_when_it_will_retry():
    now = 1000.0
    retrying = Connection(state=LinkState.RETRYING, message="rate limited (429)", retry_at=now + 7.2)
    assert p.link_text(retrying, now) == "rate limited (429) · retrying in 8 s"
    failed = Connection(state=LinkState.FAILED, message="wrong key \x1b[2J")
    assert p.link_text(failed, now) == "stopped: wrong key " and p.link_tone(failed) == "bad"
    recent = Connection(state=LinkState.OK, last_success=now - 4)
    assert p.link_text(recent, now) == "jobs list updated seconds ago"          # the status line's subject
    assert p.link_text(recent, now, what="job") == "job updated seconds ago"


def test_a_healthy_link_says_something_that_never_changes_and_an_age_only_once_a_poll_is_late():
    now = 1000.0
    texts = {p.link_text(Connection(state=LinkState.OK, last_success=now - age), now, every=2.0, what="job")
             for age in (0.0, 1.0, 2.5, 4.9)}
    assert texts == {"job updated every 2 s"}                   # polls on time: the same words every tick
    late = Connection(state=LinkState.OK, last_success=now - 37)
    assert p.link_text(late, now, every=2.0, what="job") == "job updated 30 s ago"
    assert p.link_tone(late, now, 2.0) == "warn"
    on_time = Connection(state=LinkState.OK, last_success=now - 8)
    assert p.link_text(on_time, now, every=10.0) == "jobs list updated every 10 s"   # the status line's subject
    assert p.link_tone(Connection(state=LinkState.OK, last_success=now - 1), now, 2.0) == "good"
    final = p.link_text(Connection(state=LinkState.OK, last_success=now - 3600), now, every=2.0, final=True,
                        what="job")
    assert final.startswith("job updated at ") and final == p.link_text(
        Connection(state=LinkState.OK, last_success=now - 3600), now + 600, every=2.0, final=True, what="job")


@pytest.mark.parametrize(("seconds", "text"), [(0, "<1m"), (59.9, "<1m"), (61, "1m"), (3725, "1h 02m")])
def test_elapsed_time_counts_minutes_not_seconds(seconds, text):
    assert p.elapsed_text(seconds) == text


def test_job_names_put_the_suffix_first_and_clean_server_text():
    job = Job(id="ftjob-1", created_at=1, status="running", model="gpt-4.1-nano-2025-04-14",
              suffix="bot\x1b]52;c;ZXZpbA==\x07")
    assert p.job_name(job) == "bot · gpt-4.1-nano"


def test_sparkline_and_mini_bar():
    assert p.sparkline([3.0, 2.0, 1.0, 1.0], 4) == "█▅▁▁"
    assert p.sparkline([1.0, math.nan, 1.0], 3) == "▄ ▄"
    assert p.mini_bar(0.4) == "▰▰▱▱▱" and p.mini_bar(None) == ""
    assert p.bucket_means([0, 1, 2, 3], [4.0, 2.0, 1.0, 1.0], 2) == [3.0, 1.0]


def test_smoothing_keys_double_and_halve_the_half_life_down_to_raw():
    weight = 0.5 ** (1 / 8)
    stronger = views.next_weight(weight, stronger=True)
    assert math.isclose(0.5 ** (1 / 16), stronger)
    weaker = weight
    for _ in range(3):
        weaker = views.next_weight(weaker, stronger=False)
    assert math.isclose(weaker, 0.5)                     # half-life 1 step
    assert views.next_weight(weaker, stronger=False) == 0.0
    assert views.next_weight(0.0, stronger=True) == 0.5


def test_changed_spans_find_only_the_cells_that_differ():
    before = Text("step 118/500  ETA 3m 12s")
    after = Text("step 119/500  ETA 3m 11s")
    assert changed_spans(before, after) == [(7, 8), (22, 23)]
    assert changed_spans(before, before.copy()) == []
    styled = Text("abc")
    styled.stylize("bold", 1, 2)
    assert changed_spans(Text("abc"), styled) == [(1, 2)]
    assert changed_spans(Text("日本"), Text("日木")) == [(0, 4)]            # wide characters: the whole line
    assert changed_spans(Text("a" * 20), Text("b" + "a" * 18 + "b")) == [(0, 1), (19, 20)]


def test_chart_survives_nan_infinity_and_an_empty_series():
    xs = list(range(1, 60))
    ys = [2.0 / x for x in xs]
    ys[3], ys[7] = math.nan, math.inf                  # plotext's native core aborts the process on these
    lines = render_chart(ChartSpec(width=60, height=12, raw=(xs, ys), smoothed=(xs, ys), x_max=100))
    assert len(lines) == 12 and any("┤" in line.plain for line in lines)
    empty = render_chart(ChartSpec(width=60, height=12, raw=([], [])))
    assert "waiting for the first training step" in "".join(line.plain for line in empty)
    log_lines = render_chart(ChartSpec(width=60, height=12, raw=(xs, ys), log_scale=True))
    assert len(log_lines) == 12


def test_nice_limits_round_outwards():
    assert nice_limits(0.13, 2.7) == (0.0, 3.0, [0.0, 1.0, 2.0, 3.0])
    low, high, ticks = nice_limits(0.013, 2.3, log_scale=True)
    assert (low, high) == (0.01, 5) and ticks == [0.01, 0.1, 1.0]


def _metrics(step: int, total: int = 500, full: bool = False) -> JobEvent:
    data = {"step": step, "total_steps": total, "train_loss": 1.0}
    if full:
        data["full_valid_loss"] = 0.9
    return JobEvent(id=f"e{step}", created_at=1_764_000_000, level="info", type="metrics",
                    message=f"Step {step}/{total}: training loss=1.0", data=data)


def test_the_log_keeps_about_fifty_metric_lines_per_job_and_every_message():
    kept = [step for step in range(1, 501) if keep_in_log(_metrics(step), 500)]
    assert kept[:3] == [1, 10, 20] and kept[-1] == 500 and 45 <= len(kept) <= 55
    assert keep_in_log(_metrics(167, full=True), 500)
    message = JobEvent(id="m", created_at=1, level="warn", message="[bold]x\x1b[2J", type="message")
    assert keep_in_log(message, 500)
    assert log_line(message).endswith("warn  [bold]x")


def test_desktop_notifications_only_for_terminals_that_understand_them():
    assert desktop_notification("ftwatch", "done", {"TERM": "xterm-256color"}) is None
    assert desktop_notification("ftwatch", "a;b\x1b]52;c;x\x07", {"TERM_PROGRAM": "iTerm.app"}) \
        == "\x1b]9;ftwatch: a,b\x07"
    assert desktop_notification("t", "b", {"TERM": "foot"}) == "\x1b]777;notify;t;b\x07"
    wrapped = desktop_notification("t", "b", {"TERM_PROGRAM": "WezTerm", "TMUX": "/tmp/tmux"})
    assert wrapped == "\x1bPtmux;\x1b\x1b]9;t: b\x07\x1b\\"


async def test_notify_command_gets_the_job_in_its_environment_and_failures_are_reported(tmp_path):
    out = tmp_path / "out"
    code, _ = await run_notify_command(f'echo "$FTWATCH_JOB_ID $FTWATCH_JOB_STATUS" > {out}', "ftjob-1", "failed")
    assert code == 0 and out.read_text() == "ftjob-1 failed\n"
    code, detail = await run_notify_command("echo boom >&2; exit 3", "ftjob-1", "failed")
    assert code == 3 and detail == "boom"


def test_partial_updates_start_at_the_change_not_at_the_widget_edge():
    assert partial_updates.install()
    strip = Strip([Segment("A" * 30), Segment("B" * 10), Segment("C" * 40)])
    update = _compositor.ChopsUpdate([{0: strip}], [(0, 35, 37)], [[80]])
    written = update.render_segments(Console(width=80, color_system=None, force_terminal=True))
    assert written.endswith("BB") and "A" not in written and "C" not in written
    wide = Strip([Segment("日本語" * 4)])
    whole = _compositor.ChopsUpdate([{0: wide}], [(0, 5, 7)], [[24]]).render_segments(Console(width=80))
    assert whole.startswith("\x1b[1;1H")                 # wide characters: written from the chop's start


def test_the_ui_never_loads_the_sdk_the_simulator_or_plotext_before_it_needs_them():
    code = ("import sys, ftwatch.ui.app, ftwatch.launch; "
            "print(sorted(m for m in ('openai', 'ftwatch.sim', 'plotext', 'ftwatch.source.openai_source') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
