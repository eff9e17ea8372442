"""Which checkpoint to use: the rule order (full validation, smoothed validation, the checkpoints' own validation,
smoothed training, own training, newest), ties to the later step, and the one-line explanation."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ftwatch.domain.insight.best_checkpoint import RULES, best_checkpoint
from ftwatch.domain.metrics.store import MetricStore
from ftwatch.domain.models import Checkpoint


def checkpoint(step: int, **metrics: float) -> Checkpoint:
    return Checkpoint(id=f"ftckpt_{step}", created_at=1_700_000_000 + step, step_number=step,
                      fine_tuned_model_checkpoint=f"ft:gpt-4o-mini:org::abc:ckpt-step-{step}", metrics=metrics)


def series(**columns):
    """A snapshot's metrics from name=[(step, value), ...]."""
    store = MetricStore()
    rows: dict[int, dict[str, float]] = {}
    for name, points in columns.items():
        for step, value in points:
            rows.setdefault(step, {})[name] = value
    for step in sorted(rows):
        store.add_values(step, max(rows), rows[step])
    return store.view()


def test_no_checkpoints_no_best():
    assert best_checkpoint([], None, 0.9) is None


def test_the_lowest_full_validation_loss_wins_and_says_so():
    found = best_checkpoint([checkpoint(100, full_valid_loss=0.5, valid_loss=0.1),
                             checkpoint(200, full_valid_loss=0.412), checkpoint(300, full_valid_loss=0.45)], None, 0.9)
    assert (found.checkpoint.step_number, found.rule, found.value) == (200, "full_valid_loss", 0.412)
    assert found.explain() == "lowest full_valid_loss (0.412 at step 200)"


def test_noisy_batch_validation_is_compared_smoothed_at_each_checkpoints_step():
    """The raw valid_loss at step 200 is one lucky batch (0.2); smoothed, step 300 is lower."""
    valid = [(s, 1.0 - 0.002 * s) for s in range(1, 301)]
    valid[199] = (200, 0.2)
    checkpoints = [checkpoint(100, valid_loss=0.8), checkpoint(200, valid_loss=0.2), checkpoint(300, valid_loss=0.4)]
    found = best_checkpoint(checkpoints, series(valid_loss=valid, train_loss=valid), 0.0)
    assert (found.checkpoint.step_number, found.rule) == (300, "valid_loss (smoothed)")
    assert found.explain().startswith("lowest valid_loss, smoothed (0.4")


def test_a_checkpoint_between_validation_points_reads_the_nearest_one_before_it():
    view = series(valid_loss=[(95, 0.3), (195, 0.5)], train_loss=[(s, 1.0) for s in range(1, 200)])
    found = best_checkpoint([checkpoint(100), checkpoint(200)], view, 0.0)
    assert (found.checkpoint.step_number, found.rule, round(found.value, 6)) == (100, "valid_loss (smoothed)", 0.3)


def test_without_the_jobs_series_the_checkpoints_own_validation_loss_is_compared():
    found = best_checkpoint([checkpoint(100, valid_loss=4.9e-06), checkpoint(200, valid_loss=0.0058)], None, 0.9)
    assert (found.checkpoint.step_number, found.rule) == (100, "valid_loss")
    assert found.explain() == "lowest valid_loss (4.90e-06 at step 100)"


def test_without_validation_the_smoothed_training_loss_decides_then_the_checkpoints_own():
    view = series(train_loss=[(s, 2.0 - 0.005 * s) for s in range(1, 301)])
    found = best_checkpoint([checkpoint(100), checkpoint(200), checkpoint(300)], view, 0.0)
    assert (found.checkpoint.step_number, found.rule) == (300, "train_loss (smoothed)")
    own = best_checkpoint([checkpoint(100, train_loss=0.2), checkpoint(200, train_loss=0.3)], None, 0.0)
    assert (own.checkpoint.step_number, own.rule) == (100, "train_loss")


def test_a_rule_that_judges_only_some_checkpoints_is_passed_over():
    """Only the newest has a full validation loss: comparing it with nothing would make it 'best' for free."""
    found = best_checkpoint([checkpoint(100, valid_loss=0.3), checkpoint(200, valid_loss=0.5, full_valid_loss=0.6)],
                            None, 0.9)
    assert (found.checkpoint.step_number, found.rule) == (100, "valid_loss")


def test_with_nothing_to_compare_the_newest_checkpoint_is_named_without_a_value():
    found = best_checkpoint([checkpoint(200), checkpoint(100)], None, 0.9)
    assert (found.checkpoint.step_number, found.rule, found.value) == (200, "newest", None)
    assert found.explain() == "the newest checkpoint (step 200: no loss to compare them by)"


def test_the_json_names_the_model_step_rule_and_metrics():
    found = best_checkpoint([checkpoint(100, valid_loss=0.3, train_loss=0.2)], None, 0.9)
    assert found.as_json() == {"fine_tuned_model_checkpoint": "ft:gpt-4o-mini:org::abc:ckpt-step-100", "step": 100,
                               "rule": "valid_loss", "metrics": {"valid_loss": 0.3, "train_loss": 0.2}}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([0.1, 0.2, 0.3]), min_size=1, max_size=8))
def test_the_best_is_never_beaten_and_a_tie_goes_to_the_later_step(losses):
    checkpoints = [checkpoint(100 * (i + 1), valid_loss=v) for i, v in enumerate(losses)]
    found = best_checkpoint(list(reversed(checkpoints)), None, 0.9)
    lowest = min(losses)
    assert found.value == lowest
    assert found.checkpoint.step_number == 100 * (len(losses) - losses[::-1].index(lowest))
    assert found.rule in RULES
