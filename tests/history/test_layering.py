"""The history layer knows only the domain: importing all of it loads nothing else of ftwatch (no source, UI,
CLI, config or errors) and no UI, SDK or HTTP library; every module is on the package's map; and making a
History (the TUI does it before its first frame) imports neither SQLite nor the tracker."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import ftwatch.history

FORBIDDEN = ("textual", "rich", "openai", "plotext", "aiohttp", "httpx")


def _loaded_after(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"],
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.split()


def test_the_history_imports_only_the_domain():
    modules = [m.name for m in pkgutil.walk_packages(ftwatch.history.__path__, "ftwatch.history.")]
    assert {"ftwatch.history.history", "ftwatch.history.placement", "ftwatch.history.writer"} <= set(modules)
    loaded = _loaded_after("import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules))
    ours = {m for m in loaded if m.startswith("ftwatch.")}
    assert all(m.startswith(("ftwatch.domain", "ftwatch.history")) for m in ours), sorted(ours)
    assert not [m for m in loaded if m.split(".")[0] in FORBIDDEN]


def test_every_history_module_is_on_the_map():
    for info in pkgutil.walk_packages(ftwatch.history.__path__, "ftwatch.history."):
        assert f"    {info.name.rsplit('.', 1)[-1]} " in ftwatch.history.__doc__, f"{info.name} is not on the map"


def test_making_a_history_is_cheap():
    loaded = _loaded_after("from ftwatch.history.history import History\nfrom ftwatch.history.account import Account\n"
                           "History('/nonexistent/h.sqlite3', Account.of(None))")
    assert "sqlite3" not in loaded and "ftwatch.domain.tracker" not in loaded
