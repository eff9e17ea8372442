"""One row of the budget table, and how the rows are printed, written as JSON and pasted into the README.

Every budget is checked against the figure measured in this run. `ratio` is figure / baseline when a baseline
makes sense; `limit` and `kind` say what passes:
- "max": the compared value (the ratio if there is a baseline, else the figure) must be <= limit;
- "min": the figure must be >= limit (throughputs);
- "exact": the figure must equal limit (request counts);
- "info": no budget, shown for diagnosis only.
`grossly_off(factor)` is what the CI smoke test checks: only a miss by `factor` times the budget fails, so
noise on a shared 2-core machine never breaks the build, but a regression to "repaints the whole screen" does.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable


@dataclass
class Row:
    key: str                         # stable id for comparing runs ("first_frame", "bytes_running"...)
    what: str                        # human label
    figure: float
    unit: str
    budget: str                      # as the issue writes it ("<= 1.5x", ">= 100,000 events/s")
    limit: float
    kind: str = "max"                # "max" | "min" | "exact"
    baseline: float | None = None
    baseline_what: str = ""
    compare: str = "ratio"           # which value meets the budget: "ratio" or "figure"
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.figure / self.baseline

    @property
    def compared(self) -> float:
        if self.compare == "ratio":
            ratio = self.ratio
            if ratio is None:
                raise ValueError(f"{self.key}: a ratio budget needs a non-zero baseline")
            return ratio
        return self.figure

    def meets(self, limit: float | None = None) -> bool:
        if self.kind == "info":
            return True
        limit = self.limit if limit is None else limit
        value = self.compared
        if self.kind == "min":
            return value >= limit
        if self.kind == "exact":
            return value == limit
        return value <= limit

    def grossly_off(self, factor: float = 3.0, *, floor: float = 0.0) -> bool:
        """True only when the budget is missed by `factor` (for a "max" budget of 0, by `floor`)."""
        if self.kind == "info":
            return False
        if self.kind == "exact":
            return not self.meets()
        if self.kind == "min":
            return not self.meets(self.limit / factor)
        return not self.meets(max(self.limit * factor, floor))

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["ratio"] = self.ratio
        out["passed"] = self.meets()
        return out


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    if abs(value) >= 10_000:
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10 or value == int(value):
        text = f"{value:.1f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def _cells(row: Row) -> list[str]:
    baseline = fmt(row.baseline, row.unit) if row.baseline is not None else "-"
    return [row.what, fmt(row.figure, row.unit), baseline, fmt(row.ratio, "x"), row.budget,
            "info" if row.kind == "info" else "pass" if row.meets() else "FAIL"]


HEADERS = ["what", "figure", "baseline", "ratio", "budget", "result"]


def table(rows: Iterable[Row]) -> str:
    lines = [_cells(row) for row in rows]
    widths = [max(len(h), *(len(cells[i]) for cells in lines)) for i, h in enumerate(HEADERS)]
    out = ["  ".join(h.ljust(w) for h, w in zip(HEADERS, widths)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(cells, widths)) for cells in lines]
    return "\n".join(out)


def markdown(rows: Iterable[Row], machine: dict[str, Any]) -> str:
    out = [f"Measured {machine['date']} on {machine['cpu']} ({machine['nproc']} cores), "
           f"Python {machine['python']}, Textual {machine.get('textual', '?')}"
           f"{' (quick run)' if machine.get('quick') else ''}.", "",
           "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in _cells(row)) + " |" for row in rows]
    return "\n".join(out)


def machine_info(quick: bool) -> dict[str, Any]:
    import datetime

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        from importlib.metadata import version

        textual = version("textual")
    except Exception as exc:                 # metadata missing in an odd install: say so, don't fail the run
        textual = f"unknown ({type(exc).__name__})"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                timeout=5).stdout.strip() or None
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "tui"], capture_output=True, text=True,
                                    timeout=5).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = None, None
    return {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "host": socket.gethostname(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "textual": textual,
        "platform": platform.platform(),
        "loadavg_at_start": os.getloadavg(),
        "commit": commit,
        "tui_has_uncommitted_changes": dirty,
        "quick": quick,
        "argv": sys.argv,
    }


def write_json(path: str, rows: list[Row], machine: dict[str, Any], errors: dict[str, str]) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"machine": machine, "rows": [row.as_json() for row in rows], "errors": errors}, f, indent=2)
        f.write("\n")
