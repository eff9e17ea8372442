"""Issue 5's fault matrix for the TUI's worker: the real FtwatchApp follows a running simulated job through the
real SDK while the simulator misbehaves on the events endpoint. In every case the app keeps running, the job
header says what is wrong and when it will try again ("rate limited (429) · retrying in 3 s", the wait capped
at 120 s), and once the fault clears the job's event history (and the event log drawn from it) equals the
simulator's full list: none missing, none twice, in order.

The 13 cases: 429 with retry-after, 429 with retry-after-ms, 429 with retry-after above 120 s, 500, 502 (an
HTML page), 503, a response hanging past the timeout, a connection dropped mid-body, malformed JSON, empty
pages, pages whose has_more lies, the simulator killed and restarted on the same port, and a burst of 1,000
events between two polls.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pytest

from ftwatch.domain.models import Phase
from ftwatch.domain.events.log_thinning import keep_in_log
from ftwatch.ui.widgets.event_log import EventLog, log_line
from ftwatch.ui.widgets.job_header import JobHeader
from ftwatch.ui.widgets.status_line import StatusLine

from .conftest import Notifications, oldest_first, running_job, sim_events, wait_for

SIZE = (120, 36)
# The header's right-hand side: "<reason> · retrying in N s", set off from the job's name by padding.
RETRY = re.compile(r"(?P<reason>[^ ](?:[^ ]| (?! ))*?) · retrying in (?P<seconds>\d+) s")


@dataclass(frozen=True)
class Scripted:
    script: tuple[str, ...]          # the events endpoint's next responses
    reason: str                      # what the header says is wrong
    first_wait: tuple[float, float]  # bounds of the first back-off, before rounding up to whole seconds
    settings: tuple[tuple[str, float], ...] = ()


SCRIPTED = {
    "429_retry_after_3s": Scripted(("429;retry-after=3",) * 3, "rate limited (429)", (3.0, 3.3)),
    "429_retry_after_ms_1500": Scripted(("429;retry-after-ms=1500",) * 3, "rate limited (429)", (1.5, 1.65)),
    "429_retry_after_600s_capped_at_120s": Scripted(("429;retry-after=600",), "rate limited (429)", (120, 120)),
    "500": Scripted(("500",) * 2, "server error 500", (0.5, 1.0)),
    "502_html_page": Scripted(("502",) * 2, "server error 502", (0.5, 1.0)),
    "503": Scripted(("503",) * 3, "server error 503", (0.5, 1.0)),
    "hang_past_the_timeout": Scripted(("slow;slow-seconds=2",), "request timed out", (0.5, 1.0),
                                      (("timeout", 0.4),)),
    "dropped_mid_body": Scripted(("drop",) * 2, "cannot reach 127.0.0.1:", (0.5, 1.0)),
    "malformed_json": Scripted(("badjson",) * 2, "malformed response (not JSON)", (0.5, 1.0)),
}


def header_text(app) -> str:
    return app.screen.query_one(JobHeader).rendered_text


def retry_notice(text: str) -> re.Match | None:
    return RETRY.search(text)


def allowed_countdowns(low: float, high: float) -> set[int]:
    """What "retrying in N s" may say for a wait in [low, high] (the screen rounds up)."""
    return set(range(math.ceil(low), math.ceil(high) + 1))


async def follow_to_the_end(pilot, app, world, clock, job_id: str) -> None:
    """Let the job finish, then check the app's history of it against the simulator's, event for event."""
    screen = app.screen
    clock.advance(400)                                     # past the last step, evaluation and completion

    def caught_up():
        snapshot = screen.latest(job_id)
        return (snapshot is not None and snapshot.phase is Phase.SUCCEEDED
                and len(snapshot.events) == len(world.events_json(job_id)))

    await wait_for(pilot, caught_up, what="the finished job's full history")
    expected = sim_events(world, job_id)
    history = list(screen.latest(job_id).events)
    assert [e.id for e in history] == [e.id for e in expected]          # none missing, none twice, in order
    assert [dict(e.raw) for e in history] == oldest_first(world, job_id)
    total = screen.latest(job_id).metrics.total_steps
    log = screen.query_one(EventLog)
    await wait_for(pilot, lambda: len(log.lines) >= sum(keep_in_log(e, total) for e in expected),
                   what="the event log drawn")
    assert list(log.lines) == [log_line(e) for e in expected if keep_in_log(e, total)]


async def start_following(pilot, app, job_id: str) -> None:
    await wait_for(pilot, lambda: (s := app.screen.latest(job_id)) is not None and s.job.created_at
                   and job_id in header_text(app) and "updated" in header_text(app), what="the job on screen")


@pytest.mark.parametrize("fault", list(SCRIPTED))
async def test_tui_fault_matrix(world, server, clock, make_app, fault):
    case = SCRIPTED[fault]
    job_id = running_job(world)
    app = make_app(**dict(case.settings))
    async with app.run_test(size=SIZE) as pilot:
        toasts = Notifications(app)
        await start_following(pilot, app, job_id)
        server.faults.script(list(case.script), only="/events")
        clock.advance(8)                                  # the job keeps training while the API misbehaves
        shown = []
        for served in range(1, len(case.script) + 1):
            notice = await wait_for(pilot, lambda: len(server.faults.injected) >= served
                                    and retry_notice(header_text(app)), what=f"retry notice #{served}")
            shown.append(notice)
            await pilot.press("r")                        # "poll now" cuts the back-off short, as a user would
        server.faults.clear()

        first = shown[0]
        assert first.group("reason").startswith(case.reason)
        assert int(first.group("seconds")) in allowed_countdowns(*case.first_wait)
        assert all(n.group("reason").startswith(case.reason) and int(n.group("seconds")) <= 120 for n in shown)
        assert "\x1b" not in first.group(0)

        await follow_to_the_end(pilot, app, world, clock, job_id)
        assert "updated" in header_text(app) and not retry_notice(header_text(app))
        assert app.is_running and app.return_code is None, "the app must not quit on API trouble"
        assert toasts.errors() == []


@pytest.mark.parametrize("spec", ["empty:0.3", "lying-has-more:0.4"], ids=["empty_pages", "lying_has_more"])
async def test_tui_fault_matrix_hostile_pages(world, server, clock, make_app, spec):
    job_id = running_job(world, total_steps=400)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start_following(pilot, app, job_id)
        server.faults.configure(f"{spec},only=/events")
        for _ in range(4):                                # 120+ events per poll: catch-ups span pages
            clock.advance(130)
            await pilot.pause(0.12)
        assert any(kind == spec.split(":")[0] for _, kind in server.faults.injected)
        server.faults.clear()
        await follow_to_the_end(pilot, app, world, clock, job_id)
        assert app.is_running


async def test_tui_fault_matrix_simulator_restarted_on_the_same_port(world, server, clock, make_app):
    job_id = running_job(world)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start_following(pilot, app, job_id)
        port = server.port
        await server.stop()
        clock.advance(10)                                 # events happen while we cannot see them
        status = app.screen.query_one(StatusLine)
        notice = await wait_for(pilot, lambda: retry_notice(header_text(app)), what="the job's retry notice")
        assert notice.group("reason").startswith(f"cannot reach 127.0.0.1:{port}")
        await pilot.press("r")
        await wait_for(pilot, lambda: retry_notice(status.rendered_text), what="the jobs list's retry notice")
        await server.start()
        assert server.port == port
        await pilot.press("r")
        await wait_for(pilot, lambda: "updated" in header_text(app), what="connected again")
        await follow_to_the_end(pilot, app, world, clock, job_id)
        await wait_for(pilot, lambda: not retry_notice(status.rendered_text), what="the status line calm again")


async def test_tui_fault_matrix_burst_of_1000_events_between_two_polls(world, server, clock, make_app):
    job_id = running_job(world, total_steps=1100, step_seconds=0.2, validation=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start_following(pilot, app, job_id)
        before = len(app.screen.latest(job_id).events)
        clock.advance(230)                                # ~1,100 steps become visible at once
        await wait_for(pilot, lambda: len(app.screen.latest(job_id).events) >= before + 1000,
                       what="the burst caught up")
        await follow_to_the_end(pilot, app, world, clock, job_id)
