"""Issue 15's "done when", timed at the terminal: relaunching `ftwatch` on a finished 10,000-step job (quick:
3,000) shows its full chart from the local history, faster than a relaunch with `--no-cache`, and even while the
API accepts the connection and never answers.

The real app runs under a 120x40 pty (`ftwatch --base-url URL`), against `ftwatch sim` in another process serving
one simulated job that finished long ago. A first launch fills a fresh history (FTWATCH_CACHE_DIR in a temp
dir) and quits on SIGTERM (which stores what is queued). Then, alternately, 5 times each (quick: 2): a relaunch
with the history and one with `--no-cache`; the figure is the median time from exec to the log's last line,
`step 10000/10000` (the jobs row says `10000/10000` from a cheap peek, but the log and the chart are drawn from
the whole job, in one frame). Last, the simulator is stopped and a silent server takes its port (accepts,
reads, never answers): the relaunch with the history is timed again; the one with `--no-cache` is given 15 s
and never draws it (in the details).

Both figures include the interpreter's start and the imports (~0.5 s here), so the ratio understates what the
history saves on a real link, where each of the ~100 pages the no-cache relaunch reads costs a round trip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from benchmarks.bench_first_frame import ftwatch_argv
from benchmarks.pty_harness import spawn, terminate
from benchmarks.report import Row
from benchmarks.scenarios import write

TIMEOUT = 60.0
SILENT_WAIT = 15.0


def _scenario(steps: int) -> dict:
    return {"jobs": [{"simulate": {"total_steps": steps, "start_delay": -50_000_000, "suffix": "relaunch"}}]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Sim:
    def __init__(self, path: str, port: int) -> None:
        argv = [sys.executable, "-m", "ftwatch", "sim", "--scenario", path, "--no-demo-jobs", "--port", str(port),
                "--seed", "1"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if not line.startswith("http"):
            terminate(self.proc)
            raise RuntimeError(f"ftwatch sim did not start: {line!r}")
        self.base_url = line

    def stop(self) -> None:
        terminate(self.proc)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


class _SilentServer:
    """Accepts on the simulator's old port, reads, never answers (in a thread of this process)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.requests = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._hold, "127.0.0.1", port), self.loop).result(10)

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            self.requests += 1
            await reader.read()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    def stop(self) -> None:
        self.server.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def _launch(base_url: str, env: dict[str, str], marker: bytes, *flags: str, wait: float = TIMEOUT,
            linger: float = 0.0) -> float | None:
    """Seconds from exec to `marker` on the terminal (None when it never came), then SIGTERM (a clean quit)."""
    with spawn(ftwatch_argv("--base-url", base_url, *flags), env=env) as run:
        at = run.pump(wait, until=marker)
        if linger:
            run.pump(linger)
        return at


def run(quick: bool = False) -> list[Row]:
    steps = 3_000 if quick else 10_000
    reps = 2 if quick else 5
    marker = f"step {steps}/{steps}".encode()    # the log's last metrics line, drawn with the whole chart
    path = write(_scenario(steps), "relaunch.json")
    data = tempfile.mkdtemp(prefix="ftwatch-bench-relaunch-")
    env = {"OPENAI_API_KEY": "sk-bench", "FTWATCH_CACHE_DIR": data}
    port = _free_port()
    sim = _Sim(path, port)
    try:
        if _launch(sim.base_url, env, marker, linger=2.0) is None:
            raise RuntimeError(f"the first launch never drew the chart ({marker!r})")
        cached, fresh = [], []
        for _ in range(reps):
            cached.append(_launch(sim.base_url, env, marker))
            fresh.append(_launch(sim.base_url, env, marker, "--no-cache"))
        if None in cached or None in fresh:
            raise RuntimeError(f"a relaunch never drew the chart: cached {cached}, no-cache {fresh}")
        history_bytes = sum(os.path.getsize(os.path.join(data, name)) for name in os.listdir(data))
    finally:
        sim.stop()
    silent = _SilentServer(port)
    try:
        url = f"http://127.0.0.1:{port}/v1"
        silent_cached = [_launch(url, env, marker) for _ in range(reps)]
        silent_fresh = _launch(url, env, marker, "--no-cache", wait=SILENT_WAIT)
        requests_held = silent.requests
    finally:
        silent.stop()
        shutil.rmtree(data, ignore_errors=True)
        os.remove(path)
    if None in silent_cached:
        raise RuntimeError(f"with a silent API the cached chart never came: {silent_cached}")
    label = f"{steps:,}-step"
    details = {"steps": steps, "repetitions": reps, "marker": marker.decode(), "cached_s": cached,
               "no_cache_s": fresh, "silent_cached_s": silent_cached, "history_bytes": history_bytes,
               "silent_no_cache_chart_s": silent_fresh, "silent_requests_held": requests_held}
    return [
        Row(key="relaunch_chart", what=f"relaunch to the full chart, finished {label} job (pty)",
            figure=statistics.median(cached), unit="s", baseline=statistics.median(fresh),
            baseline_what="--no-cache (every page again)", budget="<= 1x", limit=1.0, details=details),
        Row(key="relaunch_chart_silent_api", what="the same, the API accepting and never answering",
            figure=statistics.median(silent_cached), unit="s", baseline=statistics.median(cached),
            baseline_what="with the API answering", budget="<= 1.5x", limit=1.5,
            details={"no_cache_chart_within_s": SILENT_WAIT, "no_cache_chart_at": silent_fresh}),
    ]


if __name__ == "__main__":
    from benchmarks.report import table

    print(table(run(quick="--quick" in sys.argv)))
