"""Where the history database lives: one file per user, shared by every ftwatch process of that user.

`FTWATCH_CACHE_DIR` (or its older name `FTWATCH_DATA_DIR`, or the `cache_dir` setting) names the directory
outright, which is how the tests keep the developer's own history out of reach (tests/conftest.py); otherwise
it is platformdirs' user data directory for "ftwatch",
which honours `XDG_DATA_HOME` on Linux (`~/.local/share/ftwatch`), and is `~/Library/Application Support`
on macOS and `%LOCALAPPDATA%` on Windows. Data, not cache, in the XDG sense: a job's history may outlive
the API's copy of it, so a cache cleaner must not throw it away unasked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

FILE_NAME = "history.sqlite3"
ENV_DIR = "FTWATCH_CACHE_DIR"
ENV_DIR_ALIAS = "FTWATCH_DATA_DIR"


def history_dir(override: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    chosen = override or env.get(ENV_DIR) or env.get(ENV_DIR_ALIAS) or None
    if chosen:
        return Path(chosen).expanduser()
    xdg = env.get("XDG_DATA_HOME")
    if xdg and os.path.isabs(xdg):        # platformdirs reads os.environ; an injected env must win too
        return Path(xdg) / "ftwatch"
    import platformdirs

    return Path(platformdirs.user_data_dir("ftwatch", appauthor=False))


def history_path(override: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    return history_dir(override, env) / FILE_NAME


def companion_files(path: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it in WAL mode."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
