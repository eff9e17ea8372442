"""A `kill` or a dropped SSH session (SIGHUP) must quit the TUI like `q` does: terminal restored, no traceback."""

from __future__ import annotations

import os
import shlex
import signal
import sys

import pytest

pytestmark = pytest.mark.tmux


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_quits_the_tui_cleanly(tmux, signum, tmp_path):
    app = shlex.join([sys.executable, "-m", "ftwatch", "--demo"])
    # The shell reports the app's pid and exit status, then keeps the pane open so we can read it.
    pid_file = tmp_path / "pid"
    script = f"{app} & pid=$!; echo $pid > {pid_file}; wait $pid; echo EXIT=$?; sleep 30"
    tmux.start(shlex.join(["bash", "-c", script]), width=100, height=30)
    tmux.wait_for(lambda s: "SIMULATION" in s, "the demo to come up")
    os.kill(int(pid_file.read_text()), signum)
    screen = tmux.wait_for(lambda s: "EXIT=" in s, "the app to exit")
    assert f"EXIT={128 + signum}" in screen
    assert "Traceback" not in screen
    assert "SIMULATION" not in screen, "the app's screen was left behind (alternate screen not restored)"
