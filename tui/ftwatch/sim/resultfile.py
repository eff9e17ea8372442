"""The result file (`step_metrics.csv`) exactly as the Files API serves it.

Header and number format come from 11 real files: one row per step, floats rounded to 5 decimals and
printed the way Python prints them (`6e-05`, `1.0`), empty cells where a step had no validation, a
trailing newline. The content endpoint serves it base64-encoded on one line without a newline — the
trap every client falls into once, so the simulator must set it too.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from ftwatch.sim.curves import StepMetrics

HEADER = "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"


def _cell(value: float | None) -> str:
    return "" if value is None else repr(round(value, 5))


def result_csv(rows: Iterable[StepMetrics]) -> str:
    lines = [HEADER]
    for m in rows:
        cells = (str(m.step), _cell(m.train_loss), _cell(m.train_mean_token_accuracy),
                 _cell(m.valid_loss), _cell(m.valid_mean_token_accuracy))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def encode(csv_text: str) -> bytes:
    return base64.b64encode(csv_text.encode("utf-8"))


def encoded_size(csv_text: str) -> int:
    return len(encode(csv_text))
