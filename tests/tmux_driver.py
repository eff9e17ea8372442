"""A private tmux server for end-to-end tests of the real app in a real terminal (never the user's own)."""

from __future__ import annotations

import os
import subprocess
import time


class Tmux:
    """One detached session on a private tmux server (never the user's own)."""

    def __init__(self, name: str) -> None:
        self.socket = f"ftwatch-test-{os.getpid()}-{name}"
        self.session = name

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check,
                              timeout=10)

    def start(self, command: str, *, width: int, height: int) -> None:
        """Run a shell `command` in a new detached session of `width` x `height`.

        COLUMNS and LINES are dropped from its environment: under pytest they reach child processes (set
        below Python's `os.environ`, so it does not show them) and make Textual believe the terminal never
        resizes, which no real terminal does."""
        self.run("new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height),
                 f"unset COLUMNS LINES; {command}")

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session).stdout

    def alive(self) -> bool:
        return self.run("has-session", "-t", self.session, check=False).returncode == 0

    def wait_for(self, predicate, what: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if predicate(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{self.screen()}")
