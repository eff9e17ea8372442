"""Fixtures for `ftwatch serve`: a served ftwatch in its own process group, stopped (with every TUI it
started) at the end of the test, and the processes it started, read from /proc."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import pytest

from ftwatch.devtools.serve_browser import free_port, start_serve, stop_serve, wait_for_port


class Served:
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"

    def descendants(self) -> list[int]:
        """Every live process below the served ftwatch (the shell textual-serve starts, the TUI in it)."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rpartition(")")[2].split()
            if fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry.name))
        found, todo = [], [self.process.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        return found


def cmdline(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")


def environ(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().decode("utf-8", "replace").split("\0")
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """serve(args, env=None) -> Served, listening; every one started is stopped after the test."""
    started: list[subprocess.Popen] = []

    def start(args: Sequence[str], env: Mapping[str, str] | None = None) -> Served:
        port = free_port()
        process = start_serve([*args, "--port", str(port)], env=env)
        started.append(process)
        wait_for_port(port, process)
        return Served(process, port)

    yield start
    for process in started:
        stop_serve(process)
        for stream in (process.stdout, process.stderr):
            stream.close()


@pytest.fixture
def clean_environ() -> dict[str, str]:
    """This process's environment after the autouse clean_env fixture: no developer key or endpoint."""
    return dict(os.environ)
