"""The health rules on constructed runs: each fires where a user would say it should, with the numbers in its
reason, and stays silent on healthy runs, on noise, and on too little data.

Noise meets thresholds in the hypothesis tests: a seeded random generator draws the noise of each run, so a
failure shrinks to a reproducible seed.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from ftwatch.domain.insight.health import RULES, assess, curve_verdicts, rule_weight, stalled
from ftwatch.domain.insight.verdict import Badge
from ftwatch.domain.metrics.store import MetricStore
from ftwatch.domain.models import Job, Phase
from ftwatch.domain.snapshot import Connection, LinkState

from domain.factories import make_event

FINISHED = Job(id="ftjob-h", created_at=0, status="succeeded", model="gpt-4o-mini-2024-07-18")
WITH_VALIDATION = Job(id="ftjob-v", created_at=0, status="succeeded", model="m", validation_file="file-v")


def metrics(train, valid=(), *, total=None, valid_name="valid_loss"):
    """A snapshot's metrics from (step, value) pairs of the training and validation loss."""
    store = MetricStore()
    train, valid = dict(train), dict(valid)
    steps = sorted(set(train) | set(valid))
    for step in steps:
        values = {}
        if step in train:
            values["train_loss"] = train[step]
        if step in valid:
            values[valid_name] = valid[step]
        store.add_values(step, total or steps[-1], values)
    return store.view()


def badges(view, job=FINISHED, smoothing=0.0):
    return {v.badge for v in curve_verdicts(job=job, metrics=view, smoothing=smoothing)}


def reason(view, badge, job=FINISHED):
    found = [v.reason for v in curve_verdicts(job=job, metrics=view, smoothing=0.0) if v.badge is badge]
    assert found, f"no {badge} verdict"
    return found[0]


def falling(total, start=1.5, end=0.5, noise=0.0, rng=None):
    rng = rng or random.Random(0)
    return [(s, (start + (end - start) * s / total) * (1 + rng.gauss(0, noise))) for s in range(1, total + 1)]


# --- overfitting ---------------------------------------------------------------------------------------------

def test_validation_climbing_from_its_low_while_training_falls_is_overfitting_with_the_numbers():
    valid = [(100 * i, v) for i, v in enumerate([0.52, 0.55, 0.6, 0.66, 0.7, 0.75, 0.8, 0.85, 0.9, 0.94], 1)]
    view = metrics(falling(1000, 1.4, 0.3), valid)
    assert badges(view) == {Badge.OVERFITTING}
    text = reason(view, Badge.OVERFITTING)
    assert text.startswith("validation loss 0.92, up 72% from its low 0.54 around step 100")
    assert "while training loss fell" in text


def test_validation_stuck_near_its_low_while_training_keeps_falling_is_a_widening_gap():
    """Validation 1.40, then its low 1.25, then 1.30 for the last 60% (up only 4%: no climb to speak of) while
    the training loss falls from 1.3 to 0.2."""
    rng = random.Random(3)
    level = [1.40] * 8 + [1.25] * 8 + [1.30] * 24
    valid = [(10 * i, v * (1 + rng.gauss(0, 0.005))) for i, v in enumerate(level, 1)]
    view = metrics(falling(400, 1.3, 0.2, 0.05), valid)
    assert badges(view) == {Badge.OVERFITTING}
    assert reason(view, Badge.OVERFITTING).startswith("train/validation gap up from 0.29 to 1.00 since step 120: "
                                                      "validation loss 1.30 (low 1.25) while training loss fell")


def test_validation_still_falling_faster_or_slower_than_training_is_healthy():
    valid = [(10 * i, 2.0 - 0.02 * i) for i in range(1, 41)]
    assert badges(metrics(falling(400, 2.0, 0.2), valid)) == set()


def test_the_full_validation_loss_is_read_when_it_has_enough_points():
    valid = [(100 * i, 0.5 + 0.05 * i) for i in range(1, 11)]
    view = metrics(falling(1000), valid, valid_name="full_valid_loss")
    assert reason(view, Badge.OVERFITTING).startswith("full validation loss")


def test_wild_single_validation_values_do_not_make_a_flat_curve_overfit():
    """A real result file reports ~10 every eleventh validation step between values near 1.3."""
    rng = random.Random(5)
    valid = [(s, 10.0 if s % 11 == 0 else 1.3 + rng.gauss(0, 0.05)) for s in range(1, 91)]
    parallel = [(s, 1.3 + rng.gauss(0, 0.05)) for s in range(1, 91)]
    assert badges(metrics(parallel, valid)) == set()


@pytest.mark.parametrize("case", ["four validation points", "nineteen training steps", "low too recent"])
def test_no_overfitting_verdict_on_too_little_data(case):
    if case == "four validation points":
        view = metrics(falling(400), [(100, 0.5), (200, 0.8), (300, 1.1), (400, 1.4)])
    elif case == "nineteen training steps":
        view = metrics(falling(19), [(s, 0.5 + 0.1 * s) for s in range(1, 20)])
    else:   # validation fell for 90% of training and rose only over the last 10%
        valid = [(10 * i, 1.0 - 0.01 * i) for i in range(1, 91)] + [(900 + 10 * i, 0.2 + 0.1 * i) for i in range(1, 11)]
        view = metrics(falling(1000), valid)
    assert badges(view) == set()


def _healthy_pair(seed, n_valid, every, drop, train_ratio, noise):
    rng = random.Random(seed)
    total = n_valid * every
    level = 0.3 + 2.7 * rng.random()

    def curve(step):       # flat (drop 0) or falling, never rising
        return level * (1 - drop * step / total)

    train = [(s, max(1e-4, train_ratio * curve(s) * (1 + rng.gauss(0, 2 * noise)))) for s in range(1, total + 1)]
    valid = [(every * i, max(1e-4, curve(every * i) * (1 + rng.gauss(0, noise)))) for i in range(1, n_valid + 1)]
    return metrics(train, valid, total=total)


@settings(max_examples=120, deadline=None)
@given(seed=st.integers(0, 2**32), n_valid=st.integers(5, 120), every=st.sampled_from([1, 2, 10, 100]),
       drop=st.sampled_from([0.0, 0.1, 0.3, 0.6]), train_ratio=st.floats(0.6, 1.3), noise=st.floats(0.0, 0.15))
def test_a_flat_or_falling_noisy_run_is_never_overfitting_or_diverging(seed, n_valid, every, drop, train_ratio, noise):
    """Validation and training on the same flat or falling shape, each with its own noise (training twice
    as noisy, up to 30%): whatever the noise draws, no verdict."""
    assert badges(_healthy_pair(seed, n_valid, every, drop, train_ratio, noise)) == set()


@settings(max_examples=120, deadline=None)
@given(seed=st.integers(0, 2**32), n_valid=st.integers(10, 120), every=st.sampled_from([2, 10, 100]),
       low_at=st.floats(0.0, 0.5), rise=st.floats(0.4, 1.0), noise=st.floats(0.0, 0.05))
def test_a_clearly_rising_validation_while_training_falls_is_always_overfitting(seed, n_valid, every, low_at, rise, noise):
    rng = random.Random(seed)
    total = n_valid * every

    def valid_curve(x):     # flat at 1.0 until `low_at`, then up by `rise` at the end
        return 1.0 if x <= low_at else 1.0 + rise * (x - low_at) / (1 - low_at)

    valid = [(every * i, valid_curve(i / n_valid) * (1 + rng.gauss(0, noise))) for i in range(1, n_valid + 1)]
    view = metrics(falling(total, 1.2, 0.6, noise, rng), valid, total=total)
    assert Badge.OVERFITTING in badges(view)


# --- diverging -----------------------------------------------------------------------------------------------

def test_a_nan_training_loss_is_diverging_at_its_step():
    train = falling(100) + [(101, math.nan)]
    view = metrics(train)
    assert reason(view, Badge.DIVERGING) == "training loss is nan at step 101"


def test_a_smoothed_training_loss_climbing_and_staying_far_above_its_low_is_diverging():
    train = [(s, 2.0 - 0.015 * s) for s in range(1, 101)] + [(s, 0.5 + 0.05 * (s - 100)) for s in range(101, 201)]
    view = metrics(train, total=300)
    text = reason(view, Badge.DIVERGING)
    assert text.startswith("smoothed training loss 5.09, up 731% from its low 0.61 at step 102, held 1.5x above it")


def test_one_huge_spike_or_a_rise_during_warm_up_is_not_diverging():
    spike = falling(300) + [(301, 40.0)]
    warm_up = [(s, 1.0 + 0.1 * s) for s in range(1, 21)] + falling(300)[20:]
    assert badges(metrics(spike, total=600)) == set()
    assert badges(metrics(warm_up)) == set()


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32), total=st.sampled_from([20, 60, 300, 2000]), plateau=st.floats(0.05, 0.6),
       speed=st.floats(1.0, 8.0), noise=st.floats(0.0, 0.4), spiky=st.booleans())
def test_a_falling_or_flat_noisy_training_loss_is_never_diverging_or_memorising(seed, total, plateau, speed, noise, spiky):
    """Exponential decay to a plateau (5-60% of the start), up to 40% noise, optionally 5% wild batches (2-10x)."""
    rng = random.Random(seed)
    train = []
    for s in range(1, total + 1):
        y = 2.0 * (plateau + (1 - plateau) * math.exp(-speed * s / total)) * (1 + rng.gauss(0, noise))
        if spiky and rng.random() < 0.05:
            y *= rng.uniform(2, 10)
        train.append((s, max(1e-4, y)))
    assert badges(metrics(train, total=total)) == set()


# --- memorising ----------------------------------------------------------------------------------------------

def _to_zero_by(step_reached, total=300):
    return [(s, max(0.001, 2.0 * (1 - s / step_reached))) for s in range(1, total + 1)]


def test_training_loss_near_zero_early_with_no_validation_is_memorising():
    view = metrics(_to_zero_by(90))
    text = reason(view, Badge.MEMORISING)
    assert "of 300" in text and text.endswith("with no validation file to check it")


def test_near_zero_late_or_with_validation_is_not_memorising():
    assert badges(metrics(_to_zero_by(250))) == set()
    assert badges(metrics(_to_zero_by(90)), job=WITH_VALIDATION) == set()
    valid = [(30 * i, 0.01) for i in range(1, 11)]
    assert Badge.MEMORISING not in badges(metrics(_to_zero_by(90), valid))


# --- stalled -------------------------------------------------------------------------------------------------

T0 = 1_700_000_000


def _events(count=40, every=2):
    """A training job's timeline: a metrics-like event every `every` seconds, the newest at T0."""
    return [make_event(i, created_at=T0 - every * (count - 1 - i)) for i in range(count)]


STEPS = metrics(falling(40))


def _stalled(*, silent, phase=Phase.RUNNING, events=None, connection=None, view=STEPS):
    now = T0 + silent
    connection = connection or Connection(LinkState.OK, last_success=now - 2)
    return stalled(phase=phase, metrics=view, events=events if events is not None else _events(),
                   connection=connection, now=now)


def test_a_silent_job_whose_api_answers_is_stalled_and_says_the_job_is_silent():
    verdict = _stalled(silent=360)
    assert verdict.badge is Badge.STALLED
    assert verdict.reason == "no new event for 6m 00s although the API answers; it usually logs every 2s"


def test_when_the_api_does_not_answer_it_says_the_connection_is_silent():
    retrying = _stalled(silent=400, connection=Connection(LinkState.RETRYING, last_success=T0 + 220))
    assert retrying.reason == "no answer from the API for 3m 00s (the job may be fine)"
    failed = _stalled(silent=400, connection=Connection(LinkState.FAILED, last_success=T0 + 220))
    assert failed.reason == "no answer from the API for 3m 00s: polling stopped (the job may be fine)"
    old_answer = _stalled(silent=400, connection=Connection(LinkState.OK, last_success=T0 + 100))
    assert old_answer.reason.startswith("no answer from the API for 5m 00s")


def test_stalled_waits_for_ten_times_the_jobs_own_cadence_and_at_least_two_minutes():
    assert _stalled(silent=119) is None
    assert _stalled(silent=121) is not None
    slow = _events(every=30)
    assert _stalled(silent=299, events=slow) is None
    assert _stalled(silent=301, events=slow).reason.endswith("it usually logs every 30s")


@pytest.mark.parametrize("phase", [Phase.EVALUATING, Phase.QUEUED, Phase.VALIDATING_FILES, Phase.PAUSED,
                                   Phase.SUCCEEDED])
def test_only_a_training_job_can_stall(phase):
    assert _stalled(silent=3600, phase=phase) is None


def test_no_stall_before_the_first_step_or_when_the_newest_event_is_in_the_future():
    assert _stalled(silent=3600, view=metrics([])) is None
    assert _stalled(silent=-600) is None


def test_a_single_event_stalls_without_claiming_a_cadence():
    verdict = _stalled(silent=600, events=_events(count=1))
    assert verdict.reason == "no new event for 10m 00s although the API answers"


# --- assess and RULES ----------------------------------------------------------------------------------------

def test_assess_lists_each_badge_once_in_the_documented_order():
    train = [(s, 2.0 - 0.019 * s) for s in range(1, 101)] + [(s, 0.1 + 0.015 * (s - 100)) for s in range(101, 161)]
    valid = [(10 * i, 0.5 + 0.2 * i) for i in range(1, 17)]
    view = metrics(train, valid, total=300)
    found = assess(job=FINISHED, phase=Phase.RUNNING, metrics=view, events=_events(), now=T0 + 600,
                   connection=Connection(LinkState.OK, last_success=T0 + 600), smoothing=0.0)
    assert [v.badge for v in found] == [Badge.DIVERGING, Badge.OVERFITTING, Badge.STALLED]


def test_a_healthy_run_gets_no_verdict():
    rng = random.Random(1)
    valid = [(10 * i, 1.6 - 0.02 * i + rng.gauss(0, 0.03)) for i in range(1, 31)]
    found = assess(job=WITH_VALIDATION, phase=Phase.RUNNING, metrics=metrics(falling(300, noise=0.1), valid),
                   events=_events(), connection=Connection(LinkState.OK, last_success=T0), now=T0 + 3,
                   smoothing=0.9)
    assert found == ()


def test_every_badge_has_one_rule_line_naming_its_thresholds():
    assert [badge for badge, _ in RULES] == [Badge.DIVERGING, Badge.OVERFITTING, Badge.MEMORISING, Badge.STALLED]
    for _, line in RULES:
        assert "\n" not in line and any(ch.isdigit() for ch in line)


def test_the_rules_never_read_a_lighter_smoothing_than_the_automatic_one():
    assert rule_weight(0.0, 1000) == rule_weight(0.5, 1000) > 0.9
    assert rule_weight(0.999, 1000) == 0.999


# --- the tracker's snapshots -------------------------------------------------------------------------------

def _running_tracker(steps=40, total=100):
    from domain.factories import metrics_dict, running_job
    from ftwatch.domain.parse import parse_event
    from ftwatch.domain.tracker import JobTracker

    tracker = JobTracker(running_job())
    page = [parse_event(metrics_dict(s, total, 2.0 - 0.01 * s, created_at=T0 - 2 * (steps - s)))
            for s in range(steps, 0, -1)]
    tracker.merge(page)
    return tracker


def test_a_snapshot_carries_the_verdicts_and_stalled_is_judged_at_every_snapshot():
    tracker = _running_tracker()
    fresh = Connection(LinkState.OK, last_success=T0 + 600)
    assert tracker.snapshot(connection=fresh, now=T0 + 5).health == ()
    (verdict,) = tracker.snapshot(connection=fresh, now=T0 + 600).health
    assert verdict.reason == "no new event for 10m 00s although the API answers; it usually logs every 2s"


def test_the_curve_rules_are_judged_again_only_when_a_series_grew_enough(monkeypatch):
    import ftwatch.domain.tracker as tracker_module

    calls = []
    real = tracker_module.curve_verdicts
    monkeypatch.setattr(tracker_module, "curve_verdicts", lambda **kw: calls.append(1) or real(**kw))
    tracker = _running_tracker(steps=1000, total=5000)
    link = Connection(LinkState.OK, last_success=T0)

    def grow(count):
        start = tracker.metrics.last_step + 1
        for step in range(start, start + count):
            tracker.metrics.add_values(step, 5000, {"train_loss": 1.0})

    tracker.snapshot(connection=link, now=T0)
    tracker.snapshot(connection=link, now=T0 + 5)          # nothing new
    grow(5)
    tracker.snapshot(connection=link, now=T0 + 10)         # 0.5% more: not worth a judgement
    assert len(calls) == 1
    grow(20)
    tracker.snapshot(connection=link, now=T0 + 10.5)       # 2.5% more: judged
    assert len(calls) == 2
    grow(30)
    tracker.snapshot(connection=link, now=T0 + 11)         # 2.9% more, but within a second of that judgement
    assert len(calls) == 2
    tracker.snapshot(connection=link, now=T0 + 12)
    assert len(calls) == 3
    grow(1100)
    tracker.snapshot(connection=link, now=T0 + 12.1)       # twice the size: judged at once
    assert len(calls) == 4
    tracker.update_job(FINISHED)
    grow(1)
    tracker.snapshot(connection=link, now=T0 + 12.1)       # a finished job's snapshot judges the whole history
    assert len(calls) == 5


# --- cost ----------------------------------------------------------------------------------------------------

class _Counted:
    """A read-only sequence that counts the items read from it (through indexing and slicing)."""

    def __init__(self, items, tally):
        self._items, self._tally = items, tally

    def __len__(self):
        return len(self._items)

    def __getitem__(self, index):
        got = self._items[index]
        self._tally[0] += len(got) if isinstance(index, slice) else 1
        return got


class _CountedSeries:
    def __init__(self, name, steps, values, tally):
        self.name, self.steps, self.values = name, _Counted(steps, tally), _Counted(values, tally)

    def __len__(self):
        return len(self.steps)


class _CountedMetrics:
    def __init__(self, length, tally):
        rng = random.Random(length)
        steps = list(range(1, length + 1))
        train = [2.0 * (0.3 + 0.7 * math.exp(-5 * s / length)) * (1 + rng.gauss(0, 0.2)) for s in steps]
        valid_steps = steps[9::10]
        valid = [2.1 * (0.3 + 0.7 * math.exp(-5 * s / length)) for s in valid_steps]
        self._series = {"train_loss": _CountedSeries("train_loss", steps, train, tally),
                        "valid_loss": _CountedSeries("valid_loss", valid_steps, valid, tally)}
        self.last_step = self.total_steps = length

    def names(self):
        return tuple(self._series)

    def get(self, name):
        return self._series.get(name)


@pytest.mark.parametrize("length", [2_000, 200_000])
def test_a_judgement_reads_a_bounded_number_of_points_however_long_the_job(length):
    tally = [0]
    view = _CountedMetrics(length, tally)
    assert curve_verdicts(job=FINISHED, metrics=view, smoothing=0.0) == ()
    assert tally[0] < 12_000
