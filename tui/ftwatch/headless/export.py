"""`ftwatch export SOURCE [--format csv|jsonl] [-o FILE]`: the metrics per step, for spreadsheets and notebooks.

Columns: the result file's own (`step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy`), then
`full_valid_loss,full_valid_mean_token_accuracy` (events carry them, the result file does not), then
`train_loss_smoothed` (the same EMA the TUI draws), then `checkpoint`: the model name of the checkpoint taken
at that step (`ft:...:ckpt-step-100`, and the final model at the last step), empty elsewhere, so "which rows
can I deploy" is one filter in a spreadsheet. Any other metric a job reports (RFT rewards...) follows as extra
columns, so nothing the API sent is dropped; their names come from the server, so the CSV header cleans them
of control sequences (JSON lines keep them exact, escaped). Missing values are empty cells in CSV and null in
JSONL; values are written with full precision (Python's shortest round-trip repr).

A checkpoint at a step the metrics lack (a pruned history, or a checkpoints page as the SOURCE) still gets
its row, filled from the metrics the checkpoint itself carries: the API's record of that very step.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from typing import Any, TextIO

from ftwatch.config import Settings
from ftwatch.domain.metrics.smoothing import smooth
from ftwatch.domain.snapshot import JobSnapshot
from ftwatch.domain.text import clean
from ftwatch.errors import ConfigError
from ftwatch.headless.common import Runtime
from ftwatch.headless.load import load_source
from ftwatch.headless.summary import smoothing_weight

# (column, metric name in the domain)
COLUMNS = (
    ("train_loss", "train_loss"),
    ("train_accuracy", "train_mean_token_accuracy"),
    ("valid_loss", "valid_loss"),
    ("valid_mean_token_accuracy", "valid_mean_token_accuracy"),
    ("full_valid_loss", "full_valid_loss"),
    ("full_valid_mean_token_accuracy", "full_valid_mean_token_accuracy"),
)
SMOOTHED_COLUMN = "train_loss_smoothed"
CHECKPOINT_COLUMN = "checkpoint"


def rows(snapshot: JobSnapshot) -> tuple[list[str], list[dict[str, Any]]]:
    """Header and one dict per step (ascending); values are floats or None."""
    metrics = snapshot.metrics
    known = {name for _, name in COLUMNS}
    extra = [name for name in metrics.names() if name not in known]
    for checkpoint in snapshot.checkpoints:
        extra += [name for name in checkpoint.metrics if name not in known and name not in extra]
    columns = [(column, name) for column, name in COLUMNS] + [(name, name) for name in extra]
    by_step: dict[int, dict[str, Any]] = {}
    for column, name in columns:
        series = metrics.get(name)
        if series is None:
            continue
        for step, value in zip(series.steps, series.values):
            by_step.setdefault(step, {})[column] = value
    train = metrics.get("train_loss")
    if train is not None:
        weight = smoothing_weight(snapshot)
        for step, value in zip(train.steps, smooth(list(train.steps), list(train.values), weight)):
            by_step[step][SMOOTHED_COLUMN] = value
    for checkpoint in snapshot.checkpoints:
        row = by_step.setdefault(checkpoint.step_number, {})
        row[CHECKPOINT_COLUMN] = checkpoint.fine_tuned_model_checkpoint
        for column, name in columns:
            if row.get(column) is None and name in checkpoint.metrics:
                row[column] = checkpoint.metrics[name]
    header = ["step"] + [column for column, _ in COLUMNS] + [SMOOTHED_COLUMN, CHECKPOINT_COLUMN] + extra
    table = [{"step": step, **{c: by_step[step].get(c) for c in header[1:]}} for step in sorted(by_step)]
    return header, table


def write_csv(out: TextIO, header: list[str], table: list[dict[str, Any]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([clean(name) for name in header])    # metric names come from the server: inert labels
    for row in table:
        writer.writerow(["" if row[c] is None else _cell(row[c]) for c in header])


def write_jsonl(out: TextIO, header: list[str], table: list[dict[str, Any]]) -> None:
    for row in table:
        out.write(json.dumps({c: _json_value(row[c]) for c in header}) + "\n")


def _cell(value: Any) -> str:
    """Numbers at full precision; a model name (server text) cleaned like the header."""
    if isinstance(value, float):
        return repr(value)
    return clean(value) if isinstance(value, str) else str(value)


def _json_value(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def render(fmt: str, header: list[str], table: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    (write_csv if fmt == "csv" else write_jsonl)(buffer, header, table)
    return buffer.getvalue()


async def export(settings: Settings, source_arg: str, *, fmt: str = "csv", output: str | None = None,
                 runtime: Runtime | None = None) -> int:
    runtime = runtime or Runtime(out=sys.stdout, err=sys.stderr)
    loaded = await load_source(settings, source_arg, runtime)
    header, table = rows(loaded.snapshot)
    text = render(fmt, header, table)
    if output is None:
        runtime.out.write(text)
        runtime.out.flush()
        return 0
    try:
        with open(output, "w", encoding="utf-8", newline="") as file:
            file.write(text)
    except OSError as exc:
        raise ConfigError(f"{output}: cannot write ({exc.strerror or type(exc).__name__})") from None
    return 0
