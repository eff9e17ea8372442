"""The job's result file (`step_metrics.csv`) -> metric points, in the form the Files API really serves.

`files.content()` returns the CSV base64-encoded on one line (the cookbook decodes it; people who did not
committed the base64 as "garbled" CSVs). We accept either: text that starts with `step` is CSV, anything
else is tried as base64. The CSV calls the token accuracy `train_accuracy` (events call it
`train_mean_token_accuracy`); empty cells are missing values (validation is sparse); a missing final newline
is fine; unknown numeric columns (RFT files) are kept.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import math

from ftwatch.errors import ConfigError
from ftwatch.domain.models import MetricPoint

COLUMN_NAMES = {"train_accuracy": "train_mean_token_accuracy"}


class ResultFileError(ConfigError, ValueError):
    """The content is neither a result CSV nor base64 of one."""

    title = "Result file"


def decode_result_file(content: bytes | str) -> str:
    """The CSV text, decoding base64 when the content is not already CSV."""
    raw = content.encode("utf-8", "replace") if isinstance(content, str) else bytes(content)
    raw = raw.lstrip(b"\xef\xbb\xbf").strip()
    if raw[:4].lower() == b"step":
        return raw.decode("utf-8", "replace")
    try:
        decoded = base64.b64decode(b"".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ResultFileError("not a result file: neither CSV starting with 'step' nor base64") from None
    decoded = decoded.lstrip(b"\xef\xbb\xbf")
    if decoded[:4].lower() != b"step":
        raise ResultFileError("not a result file: the decoded content does not start with a 'step' header")
    return decoded.decode("utf-8", "replace")


def _number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_result_csv(content: bytes | str) -> list[MetricPoint]:
    """Points in file order; total_steps is the last step. Rows without a usable step are skipped."""
    try:
        parsed = _rows(csv.reader(io.StringIO(decode_result_file(content))))
    except csv.Error as error:
        raise ResultFileError(f"malformed result CSV: {error}") from None
    total = max((step for step, _ in parsed), default=None)
    return [MetricPoint(step=step, total_steps=total, values=values) for step, values in parsed]


def _rows(rows) -> list[tuple[int, dict[str, float]]]:
    header = [COLUMN_NAMES.get(name.strip(), name.strip()) for name in next(rows, [])]
    if not header or header[0] != "step":
        raise ResultFileError("not a result file: the first column is not 'step'")
    parsed: list[tuple[int, dict[str, float]]] = []
    for row in rows:
        if not row:
            continue
        step = _number(row[0])
        if step is None or step != int(step) or step < 0:
            continue
        values = {}
        for name, cell in zip(header[1:], row[1:]):
            cell = cell.strip()
            value = _number(cell) if cell else None
            if value is not None:
                values[name] = value
        parsed.append((int(step), values))
    return parsed
