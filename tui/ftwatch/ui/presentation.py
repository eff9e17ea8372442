"""How domain values read on screen: badges, ages, bars and sparklines as plain strings.

Pure functions (no Textual), so the wording is tested without an app and the widgets stay thin. Everything
returns plain text: server strings are cleaned with `domain.text.clean` here and become `rich.text.Text`
in the widgets, never markup.

Nothing here ticks while all is well: a healthy link says what it fetches and how often ("jobs list
updated every 10 s" on the status line, "job updated every 2 s" in the job's header), an age ("job updated
40 s ago") appears only once a poll is late, and elapsed times count minutes. A label that changes every
second repaints every second, and a quiet screen must write nothing to the terminal (issue 6: 0 B/s).
"""

from __future__ import annotations

import math
import re
import time
from typing import Any, Mapping, Sequence

from ftwatch.domain.format import clock_time, human_duration
from ftwatch.domain.models import Job, Phase
from ftwatch.domain.snapshot import Connection, Freshness, LinkState
from ftwatch.domain.text import clean

# Symbol AND word for every phase: colour is never the only signal (NO_COLOR, colour blindness).
BADGES: dict[Phase, tuple[str, str]] = {
    Phase.VALIDATING_FILES: ("…", "validating"),
    Phase.QUEUED: ("◷", "queued"),
    Phase.RUNNING: ("▶", "running"),
    Phase.EVALUATING: ("◐", "evaluating"),
    Phase.PAUSED: ("‖", "paused"),
    Phase.SUCCEEDED: ("✓", "succeeded"),
    Phase.FAILED: ("✗", "failed"),
    Phase.CANCELLED: ("⊘", "cancelled"),
    Phase.UNKNOWN: ("?", "unknown"),
}

# The CSS-ish tone of a phase; widgets map it to a component class (theme colours, never hex).
TONES: dict[Phase, str] = {
    Phase.VALIDATING_FILES: "waiting",
    Phase.QUEUED: "waiting",
    Phase.RUNNING: "active",
    Phase.EVALUATING: "active",
    Phase.PAUSED: "waiting",
    Phase.SUCCEEDED: "good",
    Phase.FAILED: "bad",
    Phase.CANCELLED: "muted",
    Phase.UNKNOWN: "muted",
}

SPARK_CHARS = "▁▂▃▄▅▆▇█"
_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")
BAR_DONE, BAR_TODO = "▰", "▱"


def badge(phase: Phase, status: str = "") -> str:
    """`✓ succeeded`; an unknown status shows its own (cleaned) word after the `?`."""
    symbol, word = BADGES.get(phase, BADGES[Phase.UNKNOWN])
    if phase is Phase.UNKNOWN and status:
        word = clean(status, max_len=12)
    return f"{symbol} {word}"


HEALTH_MARK = "⚠"      # before every health verdict's word (domain.insight.verdict.Badge): a mark and a word


def health_badge(badge: str) -> str:
    """`⚠ overfitting`: how a health verdict reads in the header, the jobs row and the help (never colour only)."""
    return f"{HEALTH_MARK} {badge}"


def short_model(model: str) -> str:
    """`gpt-4.1-nano-2025-04-14` -> `gpt-4.1-nano`: the snapshot date rarely tells jobs apart."""
    return _DATED.sub("", model)


def job_name(job: Job, max_len: int = 40) -> str:
    """What a user calls the job: their suffix first, then the base model (`support-bot · gpt-4.1-nano`)."""
    model = clean(short_model(job.model or "?"), max_len=max_len)
    if job.suffix:
        return f"{clean(job.suffix, max_len=max_len)} · {model}"
    return model


def age_text(seconds: float | None) -> str:
    """How long ago the last successful poll was: shown only once it is late, and coarse (10 s, then minutes)
    so that even a stale age repaints rarely."""
    if seconds is None:
        return "not updated yet"
    seconds = max(0.0, seconds)
    if seconds < 2:
        return "updated just now"
    if seconds < 10:
        return "updated seconds ago"
    if seconds < 60:
        return f"updated {int(seconds // 10) * 10} s ago"
    if seconds < 3600:
        return f"updated {int(seconds // 60)} min ago"
    return f"updated {int(seconds // 3600)} h ago"


def stale_after(every: float) -> float:
    """A poll is late once this long has passed since the last success: twice the interval, plus a second
    for the request itself (the poller sleeps *after* each fetch)."""
    return 2 * every + 1


def is_stale(connection: Connection, now: float, every: float | None) -> bool:
    return (connection.state is LinkState.OK and every is not None and connection.last_success is not None
            and now - connection.last_success > stale_after(every))


def link_text(connection: Connection, now: float, every: float | None = None, *, final: bool = False,
              what: str = "jobs list") -> str:
    """One calm line about one poll: `jobs list updated every 10 s`, `job updated 40 s ago`,
    `rate limited (429) · retrying in 8 s`.

    `what` names the thing the poll fetches, so the status line (the jobs list, every 10 s: the default) and a
    job's header (`what="job"`, every 2 s) cannot be read as two claims about the same thing. A healthy link
    says how often it polls, which never changes, so a quiet screen writes nothing to the terminal; an age
    appears only once a poll is late (`every`: the poll interval). `final`: nothing more will be fetched (a
    finished job), so the time of the last read is shown instead. Trouble reads the same for both: the
    reason and the countdown, which is what matters then.
    """
    words = _link_words(connection, now, every, final=final, what=what)
    freshness = connection.freshness
    if freshness is Freshness.LIVE:
        return words
    if freshness is Freshness.OFFLINE and connection.state is LinkState.OK:
        return f"offline · {what} read from the local history"
    return f"{freshness.value} · {words}"      # "cached · connecting…": shown from the history, not refreshed yet


def _link_words(connection: Connection, now: float, every: float | None, *, final: bool, what: str) -> str:
    state = connection.state
    if state is LinkState.CONNECTING:
        return "connecting…"
    if state is LinkState.FAILED:
        return f"stopped: {clean(connection.message, max_len=80)}"
    if state is LinkState.RETRYING:
        reason = clean(connection.message, max_len=60) or "connection problem"
        return f"{reason} · {retry_words(connection, now)}"
    if connection.last_success is None:
        return "connected"
    if final:
        return f"{what} updated at {clock_time(connection.last_success)}"
    if every is not None and not is_stale(connection, now, every):
        return f"{what} updated every {every:g} s"
    return f"{what} {age_text(now - connection.last_success)}"


def retry_words(connection: Connection, now: float) -> str:
    """The countdown to the next attempt: `retrying in 8 s`, or `retrying now` once it is due."""
    wait = max(0, math.ceil((connection.retry_at or now) - now))
    return f"retrying in {wait} s" if wait > 0 else "retrying now"


def link_tone(connection: Connection, now: float | None = None, every: float | None = None) -> str:
    if now is not None and is_stale(connection, now, every):
        return "warn"
    return {LinkState.OK: "good", LinkState.RETRYING: "warn", LinkState.FAILED: "bad"}.get(connection.state, "muted")


def elapsed_text(seconds: float | None) -> str:
    """Elapsed time for a live phase in whole minutes ("<1m" in the first): a label that counted seconds
    would repaint every second."""
    if seconds is None or seconds < 0 or not math.isfinite(seconds):
        return ""
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    return human_duration(seconds - seconds % 60)


def mini_bar(fraction: float | None, width: int = 5) -> str:
    if fraction is None or not math.isfinite(fraction):
        return ""
    done = min(width, max(0, round(fraction * width)))
    return BAR_DONE * done + BAR_TODO * (width - done)


def steps_text(step: int | None, total: int | None) -> str:
    if step is None:
        return ""
    return f"{step}/{total}" if total else str(step)


def sparkline(values: Sequence[float], width: int) -> str:
    """A block sparkline of at most `width` columns (values are already one per column)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite or width <= 0:
        return ""
    values = list(values)[-width:]
    low, high = min(finite), max(finite)
    span = high - low
    top = len(SPARK_CHARS) - 1
    out = []
    for value in values:
        if not math.isfinite(value):
            out.append(" ")
        elif span <= 0:
            out.append(SPARK_CHARS[top // 2])
        else:
            out.append(SPARK_CHARS[round((value - low) / span * top)])
    return "".join(out)


def bucket_means(xs: Sequence[float], ys: Sequence[float], width: int) -> list[float]:
    """Average points into `width` equal x-buckets (empty buckets are NaN): a downsample made sparkline-sized."""
    if not xs or width <= 0:
        return []
    low, high = xs[0], xs[-1]
    span = (high - low) or 1.0
    sums = [0.0] * width
    counts = [0] * width
    for x, y in zip(xs, ys):
        if not math.isfinite(y):
            continue
        column = min(width - 1, int((x - low) / span * width))
        sums[column] += y
        counts[column] += 1
    return [total / count if count else math.nan for total, count in zip(sums, counts)]


def created_text(timestamp: float | None) -> str:
    """When a job was created, as "Nov 24 16:04" (local time): absolute, so a jobs-table column never ticks.
    A time the platform cannot convert (a hostile `created_at` of 2**62) shows as "?"."""
    if not isinstance(timestamp, (int, float)) or not math.isfinite(timestamp) or timestamp <= 0:
        return ""
    try:
        return time.strftime("%b %d %H:%M", time.localtime(timestamp))
    except (OverflowError, OSError, ValueError):
        return "?"


def tokens_text(tokens: int | None) -> str:
    if tokens is None:
        return ""
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:.1f}M tokens"
    if tokens >= 1_000:
        return f"{tokens / 1_000:.1f}k tokens"
    return f"{tokens} tokens"


_HYPER_NAMES = {"n_epochs": "epochs", "batch_size": "batch", "learning_rate_multiplier": "lr×", "beta": "β"}


def hyperparameters_text(hyper: Mapping[str, Any] | None) -> str:
    """`epochs 3 · batch 8 · lr× 1.8`; unknown keys are kept (cleaned), nested values are skipped."""
    if not hyper:
        return ""
    parts = []
    for key, value in hyper.items():
        if isinstance(value, (dict, list, tuple)) or value is None:
            continue
        name = _HYPER_NAMES.get(str(key), clean(key, max_len=24))
        if isinstance(value, float):
            shown = f"{value:g}"
        else:
            shown = clean(value, max_len=16)
        parts.append(f"{name} {shown}")
    return " · ".join(parts)


def smoothing_text(weight: float, half_life_steps: float, auto: bool) -> str:
    if weight <= 0:
        return "raw (no smoothing)"
    mode = "auto " if auto else ""
    digits = 3
    while digits < 8 and round(weight, digits) >= 1.0:    # never "1.000": the weight is always below 1
        digits += 1
    return f"smoothing {mode}{weight:.{digits}f} (half-life {half_life_steps:.0f} steps)"


def no_jobs_text(connection: Connection, now: float) -> tuple[str, str] | None:
    """What the job pane says while there is no job to show: (a short line for the header, the whole story
    for the chart's room), or None while still connecting. A refused key or an unreachable host is stated
    where people look, not only in the status line, with what to do about it."""
    message = clean(connection.message, max_len=300)
    if connection.state is LinkState.FAILED:
        hint = ""
        if "401" in message or "key" in message.lower():
            hint = " Check OPENAI_API_KEY (and --base-url / OPENAI_BASE_URL), then restart ftwatch."
        return f"cannot list the jobs: {message}", f"Cannot list the fine-tuning jobs: {message}.{hint}"
    if connection.state is LinkState.RETRYING:
        when = retry_words(connection, now)
        reason = message or "connection problem"
        return f"{reason} · {when}", f"Cannot reach the API yet: {reason}. {when.capitalize()} (r retries now)."
    if connection.state is LinkState.OK and connection.freshness is Freshness.OFFLINE:
        return ("offline · no jobs of this account in the local history",
                "Offline: the local history holds no job of this account yet (run ftwatch without --offline "
                "once to fill it).")
    if connection.state is LinkState.OK:
        return ("no fine-tuning jobs in this account yet",
                "No fine-tuning jobs in this account yet: jobs you create appear here within a poll.")
    return None
