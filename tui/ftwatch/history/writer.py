"""The one background thread per process that writes the history, so the event loop never waits on disk.

Watches queue small operations (`writes.py`) with `put`, which never blocks and never raises. The thread
takes what has queued up (waiting a moment after the first one, so one poll's job, events and checkpoints
share a transaction) and applies it as one batch. Order is kept: a batch that fails on a lock held by
another process is tried again, a little later, before anything queued after it, so a job's stored events
stay a contiguous run from its oldest one. A lock that outlasts `LOCK_RETRIES`, or any other failure (a
damaged file, a read-only disk, a full disk), switches the writer off: `on_problem` is told once, and what
is queued afterwards is dropped (the screen and the commands carry on without the history).

`flush()` waits until everything queued so far is stored; `close()` flushes (bounded by a timeout, so a
stuck disk never keeps ftwatch from exiting) and stops the thread.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable

from ftwatch.history.connect import HistoryError, describe, is_busy
from ftwatch.history.writes import Operation, WriterState, apply_batch

GATHER_S = 0.05           # after the first operation, how long to wait for the rest of its poll's
MAX_BATCH = 2_000         # operations per transaction (a back-fill's runs of events are one operation each)
LOCK_RETRIES = 4          # a batch blocked by a lock is tried again this often (after the busy timeout)
RETRY_PAUSE_S = 0.5


class _Flush:
    def __init__(self) -> None:
        self.done = threading.Event()


_STOP = object()


class Writer:
    def __init__(self, connect: Callable[[], sqlite3.Connection], path: Path,
                 on_problem: Callable[[str], None]) -> None:
        self._connect = connect
        self._path = path
        self._on_problem = on_problem
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.disabled = False
        self.batches = 0                 # committed transactions, for tests and benchmarks
        self.stored = 0                  # operations stored

    def put(self, operation: Operation) -> None:
        if self.disabled:
            return
        self._start()
        self._queue.put(operation)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued before this call is stored (or dropped); False on timeout."""
        if self._thread is None:
            return True
        marker = _Flush()
        self._queue.put(marker)
        return marker.done.wait(timeout)

    def close(self, timeout: float = 5.0) -> bool:
        """Store what is queued and stop; False when the disk did not let it finish within `timeout`."""
        thread = self._thread
        if thread is None:
            return True
        self._queue.put(_STOP)
        thread.join(timeout)
        return not thread.is_alive()

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ftwatch-history-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        state = WriterState()
        try:
            while True:
                batch, markers, stop = self._gather()
                if batch and not self.disabled:
                    if conn is None:
                        conn = self._open()
                    if conn is not None:
                        self._store(conn, state, batch)
                for marker in markers:
                    marker.done.set()
                if stop:
                    return
        finally:
            if conn is not None:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass

    def _gather(self) -> tuple[list[Operation], list[_Flush], bool]:
        batch: list[Operation] = []
        markers: list[_Flush] = []
        item = self._queue.get()
        deadline = time.monotonic() + GATHER_S
        while True:
            if item is _STOP:
                return batch, markers, True
            if isinstance(item, _Flush):
                markers.append(item)
                return batch, markers, False          # a flush waits for what came before it, not after
            batch.append(item)
            if len(batch) >= MAX_BATCH:
                return batch, markers, False
            left = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait()
            except queue.Empty:
                return batch, markers, False

    def _open(self) -> sqlite3.Connection | None:
        try:
            return self._connect()
        except HistoryError as error:
            self._give_up(error.message)
            return None

    def _store(self, conn: sqlite3.Connection, state: WriterState, batch: list[Operation]) -> None:
        for attempt in range(LOCK_RETRIES + 1):
            try:
                apply_batch(conn, state, batch)
                self.batches += 1
                self.stored += len(batch)
                return
            except sqlite3.Error as exc:
                if is_busy(exc) and attempt < LOCK_RETRIES:
                    time.sleep(RETRY_PAUSE_S * (attempt + 1))
                    continue
                self._give_up(describe(exc, self._path))
                return

    def _give_up(self, reason: str) -> None:
        self.disabled = True
        self._drain()
        self._on_problem(reason)

    def _drain(self) -> None:
        """Drop what is queued (it will not be stored), but keep flush markers and the stop request working."""
        kept = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP or isinstance(item, _Flush):
                kept.append(item)
        for item in kept:
            self._queue.put(item)
