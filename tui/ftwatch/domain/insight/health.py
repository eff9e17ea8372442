"""Is this run healthy? Four rules, each with its thresholds, each silent on too little data or a healthy run.

A badge that fires on a healthy run, or on ten noisy steps, teaches people to ignore badges; so every rule
needs enough points, compares robust levels rather than single values, and asks for a change that is both
*material* (a percentage a user would care about) and *beyond noise* (3 standard errors, more when the noise
is estimated from few points). The numbers below are the module constants; `RULES` says the same in one line
each for the help screen and the README, and docs/health.md records which real recorded runs each rule fires on.

overfitting (`overfit`)
    Validation loss (`full_valid_loss` when it has >= 5 points, else `valid_loss`) split into fifths, each
    summarised by its median: the newest fifth >= 10% above the lowest earlier fifth and > 3 standard errors
    above it while the training loss (median over the same steps) still fell >= 5%; or the train/validation
    gap widened by >= 40% of the validation low (> 3 standard errors) with no lower validation for the last
    two fifths while training fell >= 10%; each fall of the training loss also > 3 standard errors. Needs
    >= 5 validation points, >= 20 training points and >= 20% of the training steps after the low.
diverging (`train_rules`)
    A NaN/Inf training loss among the newest 1,000 points; or the smoothed training loss held above 1.5x its
    running minimum (after the first 10% of steps) for the last three half-lives of the smoothing, by >= 10%
    of the starting level and > 3 standard errors, with the median raw loss of those steps 1.5x the median
    around the low too (a few wild batches lift the mean, not the median).
memorising (`train_rules`)
    No validation file, and the smoothed training loss below 0.02 (and below 5% of its start) before half of
    the total steps, and still below twice that.
stalled (here)
    A job training (phase RUNNING, at least one step seen) with no new event for `STALL_CADENCES` (10) times
    its own cadence (the median gap between its newest `CADENCE_EVENTS` (31) events; named in the reason
    from `MIN_GAPS` (3) gaps on), and at least `STALL_FLOOR` (2 minutes). Evaluation (~12 silent minutes
    are normal), queueing and validation never stall. The reason says who is silent: if the API has not
    answered for `LINK_FRESH` (60 s) or the link is retrying or failed, the connection ("no answer from the
    API for 3m 10s (the job may be fine)"); if the API answers, the job ("no new event for 6m 02s although
    the API answers; it usually logs every 2s").

The curve rules read at most ~1,000 points of each series (even subsamples plus the newest, see `robust`), so
a verdict costs about the same on a 100,000-step job as on a 1,000-step one; `stalled` reads one event unless
the job is already quiet for the floor, then 31. The tracker caches the curve rules (`JobTracker.snapshot`).

Clock skew between the API's `created_at` and the local clock shifts the silence by the skew: a newest event
"in the future" counts as no silence at all.
"""

from __future__ import annotations

from statistics import median

from ftwatch.domain.format import human_duration
from ftwatch.domain.insight import overfit, train_rules
from ftwatch.domain.insight.verdict import Badge, Verdict
from ftwatch.domain.metrics.smoothing import auto_weight
from ftwatch.domain.models import Job, Phase
from ftwatch.domain.snapshot import Connection, EventsView, LinkState, MetricsView

STALL_FLOOR = 120.0
STALL_CADENCES = 10
CADENCE_EVENTS = 31
LINK_FRESH = 60.0
MIN_GAPS = 3              # gaps between events before the reason names the job's cadence

RULES: tuple[tuple[Badge, str], ...] = (
    (Badge.DIVERGING,
     f"a NaN/Inf training loss, or the smoothed training loss held above "
     f"{1 + train_rules.CLIMB:g}x its running minimum (after the first {train_rules.WARMUP:.0%} of steps) for "
     f"the last {train_rules.SUSTAIN_HALF_LIVES:g} half-lives of the smoothing"),
    (Badge.OVERFITTING,
     f"validation loss (median of its newest fifth) >= {overfit.RISE:.0%} above its lowest earlier fifth, "
     f"beyond noise, while training loss still falls; or the train/validation gap widened by "
     f">= {overfit.GAP_WIDEN:.0%} of the validation low since validation last improved "
     f"(>= {overfit.MIN_VALID_POINTS} validation points, {overfit.AFTER_LOW:.0%} of training after the low)"),
    (Badge.MEMORISING,
     f"no validation file, and the smoothed training loss below {train_rules.NEAR_ZERO:g} (and "
     f"{train_rules.NEAR_ZERO_OF_START:.0%} of its start) before {train_rules.BEFORE:.0%} of the total steps"),
    (Badge.STALLED,
     f"a training job with no new event for {STALL_CADENCES}x its usual gap between events (at least "
     f"{STALL_FLOOR / 60:g} minutes); says whether the job or the connection to the API is silent; never "
     f"while queued, validating files or evaluating"),
)


def rule_weight(smoothing: float, total_steps: int | None) -> float:
    """The EMA weight the rules read the training loss with: the user's, but never lighter than the automatic
    one (a raw line, `smoothing` 0, would hand every rule the batch noise)."""
    return max(smoothing, auto_weight(total_steps))


def assess(*, job: Job, phase: Phase, metrics: MetricsView, events: EventsView, connection: Connection,
           now: float, smoothing: float) -> tuple[Verdict, ...]:
    """Every verdict on the job, at most one per badge, in the order diverging, overfitting, memorising,
    stalled; empty on a healthy run and on too little data."""
    return (*curve_verdicts(job=job, metrics=metrics, smoothing=smoothing),
            *stall_verdicts(phase=phase, metrics=metrics, events=events, connection=connection, now=now))


def curve_verdicts(*, job: Job, metrics: MetricsView, smoothing: float) -> tuple[Verdict, ...]:
    """The rules that read the metric series (diverging, overfitting, memorising): what the tracker caches."""
    total = metrics.total_steps
    weight = rule_weight(smoothing, total)
    found = (train_rules.diverging(metrics, total, weight),
             overfit.overfitting(metrics, total),
             train_rules.memorising(job, metrics, total, weight))
    return tuple(v for v in found if v is not None)


def stall_verdicts(*, phase: Phase, metrics: MetricsView, events: EventsView, connection: Connection,
                   now: float) -> tuple[Verdict, ...]:
    """`stalled` alone: cheap (one event read while the job is not quiet), so it runs at every snapshot."""
    verdict = stalled(phase=phase, metrics=metrics, events=events, connection=connection, now=now)
    return () if verdict is None else (verdict,)


def stalled(*, phase: Phase, metrics: MetricsView, events: EventsView, connection: Connection,
            now: float) -> Verdict | None:
    count = len(events)
    if phase is not Phase.RUNNING or metrics.last_step is None or not count:
        return None
    silence = now - events[count - 1].created_at
    if not silence >= STALL_FLOOR:
        return None
    recent = [event.created_at for event in events[max(0, count - CADENCE_EVENTS):count]]
    gaps = [max(0, b - a) for a, b in zip(recent, recent[1:])]
    cadence = median(gaps) if gaps else 0.0
    if silence < max(STALL_FLOOR, STALL_CADENCES * cadence):
        return None
    last_answer = connection.last_success
    if (connection.state in (LinkState.RETRYING, LinkState.FAILED) or last_answer is None
            or now - last_answer > LINK_FRESH):
        quiet = silence if last_answer is None else max(0.0, now - last_answer)
        stopped = ": polling stopped" if connection.state is LinkState.FAILED else ""
        return Verdict(Badge.STALLED,
                       f"no answer from the API for {human_duration(quiet)}{stopped} (the job may be fine)")
    usually = f"; it usually logs every {human_duration(max(1.0, cadence))}" if len(gaps) >= MIN_GAPS else ""
    return Verdict(Badge.STALLED, f"no new event for {human_duration(silence)} although the API answers{usually}")
