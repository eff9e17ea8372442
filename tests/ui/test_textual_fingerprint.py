"""The Textual speed-ups are on for every supported Python, and off for any Textual code they don't know.

Users on 3.12/3.13 silently lost the terminal-bytes and CPU budget when the fingerprints hashed bytecode
(which every CPython minor version compiles differently); these tests fail if that comes back.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ftwatch.ui import partial_updates
from ftwatch.ui.textual_fingerprint import fingerprint, normalised
from ftwatch.ui.widgets.cell_cache import CellCachedTable

PROBE = (
    "from textual import _compositor\n"
    "from textual.widgets import DataTable\n"
    "from ftwatch.ui.textual_fingerprint import fingerprint as f\n"
    "c = _compositor.Compositor\n"
    "print(f(_compositor.ChopsUpdate.render_segments), f(c.render_partial_update), f(c._render_chops),"
    " f(c._get_renders), f(DataTable._render_cell), f(DataTable._get_styles_to_render_cell))\n"
)


def test_every_patch_is_active_on_this_interpreter():
    partial_updates.install()
    assert partial_updates.install() is True            # the segment crop
    assert partial_updates.rows_only_installed()        # dirty rows only
    assert CellCachedTable.CELL_CACHE                   # the jobs table's cell cache


def _other_pythons() -> list[str]:
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    found = []
    for minor in ("3.11", "3.12", "3.13"):
        found += sorted(glob.glob(f"{root}/versions/{minor}.*/bin/python{minor}"))[-1:]
    return [p for p in found if Path(p).resolve() != Path(sys.executable).resolve()]


@pytest.mark.parametrize("python", _other_pythons() or [pytest.param(None, marks=pytest.mark.skip("no other CPython here"))])
def test_fingerprints_are_the_same_on_every_cpython(python):
    """The same Textual source, read by another CPython minor version, gives the same fingerprints."""
    site = sysconfig.get_paths()["purelib"]
    tui = str(Path(__file__).resolve().parents[2] / "tui")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tui, site])}
    here = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True)
    there = subprocess.run([python, "-c", PROBE], capture_output=True, text=True, env=env, timeout=60)
    assert there.returncode == 0, there.stderr[-2000:]
    assert there.stdout.split() == here.stdout.split() and len(here.stdout.split()) == 6


def test_a_changed_function_is_not_recognised():
    def original(a):
        # a comment
        return a + 1

    def changed(a):
        return a + 2

    assert normalised("    x = 1   \n\n    # note\n    y = 2\n") == "x = 1\ny = 2"
    assert fingerprint(changed) != fingerprint(original)
    # The function's own name is part of its source, so compare bodies through `normalised` directly.
    assert normalised("def f(a):\n    # c\n    return a + 1\n") == normalised("def f(a):\n\n    return a + 1   \n")


def test_the_cheap_textual_version_is_textuals_own():
    import textual

    from ftwatch.ui.textual_fingerprint import textual_version

    assert textual_version() == textual.__version__ == "8.2.8"
