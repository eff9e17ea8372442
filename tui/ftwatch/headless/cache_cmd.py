"""`ftwatch cache info|prune [--older-than D]|clear`: the local history, seen and tidied from a shell.

    ftwatch cache info            path, size, and per account its jobs and events (`--json`: one object)
    ftwatch cache prune           drop finished jobs created more than 30 days ago (`--older-than 12h|2w|90d`)
    ftwatch cache clear           empty it (a damaged file is deleted: the way out of "cache off")

These read and write the file directly (no API, no key); FTWATCH_CACHE_DIR says where it is, as for every
command. A file that cannot be used is one line on stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import json
import re
import time
from typing import TextIO

from ftwatch.config import Settings
from ftwatch.errors import ConfigError
from ftwatch.history.paths import history_path

DEFAULT_OLDER_THAN = "30d"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400}
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)


def parse_age(text: str) -> float:
    """`30d`, `12h`, `90m`, `2w`, `45s`; a bare number is days. Raises ConfigError."""
    found = _AGE.match(text)
    if found is None or float(found.group(1)) <= 0:
        raise ConfigError(f"--older-than takes an age like 30d, 12h, 2w or 90m, not {text!r}")
    return float(found.group(1)) * _UNITS[(found.group(2) or "d").lower()]


def cache_command(settings: Settings, action: str, *, out: TextIO, older_than: str | None = None,
                  as_json: bool = False, now: float | None = None) -> int:
    from ftwatch.history import upkeep
    from ftwatch.history.connect import HistoryError

    path = history_path(settings.cache_dir)
    try:
        if action == "info":
            found = upkeep.info(path)
            out.write(_info_json(found) if as_json else _info_text(found))
        elif action == "prune":
            age = parse_age(older_than or DEFAULT_OLDER_THAN)
            removed = upkeep.prune(path, older_than=age, now=time.time() if now is None else now)
            out.write(f"pruned {removed.jobs} finished job{_s(removed.jobs)} created more than "
                      f"{older_than or DEFAULT_OLDER_THAN} ago ({removed.events:,} event{_s(removed.events)}); "
                      f"{removed.jobs_left} job{_s(removed.jobs_left)} left, {_size(removed.size_after)}\n")
        else:
            removed = upkeep.clear(path)
            out.write(f"cleared {path}: {removed.jobs} job{_s(removed.jobs)}, {removed.events:,} "
                      f"event{_s(removed.events)} ({_size(removed.size_before)} before)\n")
    except HistoryError as error:
        raise ConfigError(f"cache: {error.message}") from None
    out.flush()
    return 0


def _info_text(found) -> str:
    lines = [f"{'path':<9} {found.path}"]
    if not found.exists:
        lines.append(f"{'size':<9} 0 B (no history yet: ftwatch fills it as it watches jobs)")
        return "\n".join(lines) + "\n"
    lines += [f"{'size':<9} {_size(found.size_bytes)}", f"{'schema':<9} v{found.schema}",
              f"{'accounts':<9} {len(found.accounts)}", f"{'jobs':<9} {found.jobs:,}",
              f"{'events':<9} {found.events:,}"]
    for account in found.accounts:
        lines.append(f"  {account.account.label()}: {account.jobs:,} job{_s(account.jobs)}, "
                     f"{account.events:,} event{_s(account.events)}")
    return "\n".join(lines) + "\n"


def _info_json(found) -> str:
    return json.dumps({
        "path": str(found.path), "exists": found.exists, "size_bytes": found.size_bytes, "schema": found.schema,
        "accounts": [{"base_url": a.account.base_url, "organization": a.account.organization or None,
                      "project": a.account.project or None, "jobs": a.jobs, "events": a.events}
                     for a in found.accounts],
        "jobs": found.jobs, "events": found.events, "result_files": found.result_files}) + "\n"


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def _s(n: int) -> str:
    return "" if n == 1 else "s"
