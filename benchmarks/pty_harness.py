"""Run a real program under a pseudo-terminal and record what it writes, when, and what CPU it burns.

Terminal bytes and CPU must be measured on the real app talking to a real terminal, not estimated: this is the
one place that does it. Textual paints on the tty (stderr/stdout both point at the pty slave here).

Nobody answers the terminal's capability queries (DECRQM for synchronized output, colour queries), exactly like
a terminal that does not support them: Textual then paints plain frames, which is the conservative case.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from dataclasses import dataclass, field


@dataclass
class PtyRun:
    proc: subprocess.Popen
    master: int
    started: float
    chunks: list[tuple[float, int]] = field(default_factory=list)   # (monotonic time, byte count)
    text: bytearray = field(default_factory=bytearray)
    keep_text: int = 2_000_000
    seen: dict[bytes, float] = field(default_factory=dict)          # marker -> seconds since start
    record: bool = False                                            # keep every chunk's bytes in `data`
    data: list[bytes] = field(default_factory=list)                 # parallel to `chunks` when recording

    def pump(self, seconds: float, *, until: bytes | None = None) -> float | None:
        """Read output for up to `seconds`; return the time (since start) `until` first appeared, if asked.

        Without `until`, always reads for the full `seconds` (or until the program exits)."""
        deadline = time.monotonic() + seconds
        while True:
            if until is not None:
                found = self._find(until)
                if found is not None:
                    return found
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if not ready:
                if self.proc.poll() is not None:
                    return None
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:          # EIO: the program closed the terminal (exited)
                return None
            if not data:
                return None
            now = time.monotonic()
            self.chunks.append((now, len(data)))
            if self.record:
                self.data.append(data)
            if len(self.text) < self.keep_text:
                self.text.extend(data)
            if until is not None and until not in self.seen and until in self.text:
                self.seen[until] = now - self.started

    def _find(self, marker: bytes) -> float | None:
        if marker in self.seen:
            return self.seen[marker]
        if marker in self.text:      # arrived during an earlier pump that was not looking for it
            self.seen[marker] = self._arrival_of(self.text.index(marker) + len(marker))
            return self.seen[marker]
        return None

    def _arrival_of(self, offset: int) -> float:
        """When the byte at `offset` of the kept text arrived (seconds since start)."""
        total = 0
        for at, count in self.chunks:
            total += count
            if total >= offset:
                return at - self.started
        return time.monotonic() - self.started

    def bytes_between(self, t0: float, t1: float) -> int:
        """Bytes received with monotonic time in [t0, t1)."""
        return sum(n for t, n in self.chunks if t0 <= t < t1)

    def bytes_in(self, t0: float, t1: float) -> bytes:
        """The recorded output received in [t0, t1) (needs `record=True`)."""
        return b"".join(d for (t, _), d in zip(self.chunks, self.data) if t0 <= t < t1)

    def bursts(self, gap: float = 0.005) -> list[tuple[float, int]]:
        """Output grouped into writes (chunks closer than `gap` s): (seconds since start, bytes)."""
        out: list[list[float]] = []
        last = None
        for at, count in self.chunks:
            if last is not None and at - last < gap:
                out[-1][1] += count
            else:
                out.append([at - self.started, count])
            last = at
        return [(a, int(n)) for a, n in out]

    def cpu_seconds(self) -> float:
        """utime + stime of the process so far, from /proc (Linux)."""
        with open(f"/proc/{self.proc.pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def stop(self) -> None:
        terminate(self.proc)
        try:
            os.close(self.master)
        except OSError:
            pass

    def __enter__(self) -> PtyRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def spawn(argv: list[str], *, cols: int = 120, rows: int = 40, env: dict[str, str] | None = None,
          cwd: str | None = None, record: bool = False) -> PtyRun:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    full_env = dict(os.environ)
    full_env.update({"TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)})
    # PYTHONDONTWRITEBYTECODE (set in some sandboxes and CI images) would make every launch recompile the
    # program's own modules (~25 ms for ftwatch, none for the baseline, whose library ships compiled): the
    # warm-up runs must leave .pyc files behind, as any installed program has them.
    for name in ("NO_COLOR", "TEXTUAL", "TEXTUAL_DRIVER", "TEXTUAL_FPS", "TEXTUAL_ANIMATIONS",
                 "PYTHONDONTWRITEBYTECODE"):
        full_env.pop(name, None)
    if env:
        full_env.update(env)
    started = time.monotonic()
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=full_env, start_new_session=True, close_fds=True,
        cwd=cwd,
    )
    os.close(slave)
    return PtyRun(proc=proc, master=master, started=started, record=record)


def terminate(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 5 s: every benchmark child ends, even a hung one."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
