"""Run every benchmark of issue 6, print the budget table, write the JSON (and a markdown table beside it).

    python -m benchmarks.run [--quick] [--json PATH] [--only NAME,NAME]

NAME is a module suffix: first_frame, chart, ingest, bytes, cpu, requests, jobs_pane, history, relaunch. `--quick`
uses smaller sizes and shorter windows (the CI smoke test's settings). Exit status: 0 all budgets met, 1 a budget
missed, 2 a benchmark could not run. The JSON defaults to benchmarks/results/<date>-<host>[-quick].json.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import socket
import sys
import time
import traceback

from benchmarks import report

MODULES = ("first_frame", "chart", "ingest", "bytes", "cpu", "requests", "jobs_pane", "history", "relaunch")
HERE = os.path.dirname(os.path.abspath(__file__))


def default_json_path(quick: bool) -> str:
    stamp = datetime.date.today().isoformat()
    return os.path.join(HERE, "results", f"{stamp}-{socket.gethostname()}{'-quick' if quick else ''}.json")


def run_all(names, quick: bool, *, log=print) -> tuple[list[report.Row], dict[str, str]]:
    rows: list[report.Row] = []
    errors: dict[str, str] = {}
    for name in names:
        began = time.monotonic()
        log(f"... {name}", flush=True)
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            got = module.run(quick=quick)
        except Exception as exc:            # one broken benchmark must not hide the others' figures
            errors[name] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            log(f"    {name} could not run: {errors[name]}\n{traceback.format_exc()}", flush=True)
            continue
        rows.extend(got)
        log(f"    {name}: {time.monotonic() - began:.1f} s", flush=True)
    return rows, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter windows (CI)")
    parser.add_argument("--json", metavar="PATH", help="where to write the results")
    parser.add_argument("--only", metavar="NAMES", help=f"comma-separated subset of {', '.join(MODULES)}")
    args = parser.parse_args(argv)
    names = MODULES if not args.only else tuple(n.strip() for n in args.only.split(","))
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {', '.join(MODULES)}")
    machine = report.machine_info(args.quick)
    rows, errors = run_all(names, args.quick, log=lambda *a, **k: print(*a, file=sys.stderr, **k))
    machine["loadavg_at_end"] = os.getloadavg()
    print()
    print(f"{machine['cpu']} · {machine['nproc']} cores · Python {machine['python']} · Textual {machine['textual']}"
          f"{' · quick' if args.quick else ''}")
    print(report.table(rows))
    for name, error in errors.items():
        print(f"ERROR {name}: {error}")
    path = args.json or default_json_path(args.quick)
    report.write_json(path, rows, machine, errors)
    with open(os.path.splitext(path)[0] + ".md", "w", encoding="utf-8") as f:
        f.write(report.markdown(rows, machine) + "\n")
    print(f"\nwrote {path}")
    if errors:
        return 2
    return 0 if all(row.meets() for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
