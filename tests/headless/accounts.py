"""Two simulated accounts for the profile, jobs and status tests: each a SimServer on the real clock (the
commands under test read `time.time`), in its own background thread, with jobs of its own and its own key.

`ftwatch.cli.main` calls asyncio.run (or blocks in urllib), so the servers cannot live in the test's loop.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

from ftwatch.sim.server import SimServer
from ftwatch.sim.simulated import Timing
from ftwatch.sim.world import World

QUICK = Timing(validate=5.0, queue=2.0, warmup=3.0, step=1.0, full_validation=1.0, build_model=2.0,
               safety_eval=5.0, complete=1.0)
SLOW_START = Timing(validate=3600.0, queue=2.0, warmup=3.0, step=1.0)


class Account:
    """A simulated account: `jobs` maps a label to its job id."""

    def __init__(self, seed: int, api_key: str) -> None:
        self.world = World(seed=seed, clock=time.time, speed=1.0)
        self.api_key = api_key
        self.jobs: dict[str, str] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.server = SimServer(self.world, api_key=api_key)
        self.headers: list[dict[str, str]] = []         # every request's headers, lower-cased names
        handle = self.server.api.handle

        def recording(method: str, path: str, query: Any, headers: Any, body: bytes = b"") -> Any:
            self.headers.append({k.lower(): v for k, v in headers.items()})
            return handle(method, path, query, headers, body)

        self.server.api.handle = recording
        self._call(self.server.start())

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def add(self, label: str, **spec: Any) -> str:
        spec.setdefault("timing", QUICK)
        self.jobs[label] = self._run(lambda: self.world.create_job(**spec))
        return self.jobs[label]

    def requests(self) -> list[tuple[str, str, dict[str, str]]]:
        return list(self.server.requests)

    def forget_requests(self) -> None:
        self._run(self.server.requests.clear)
        self._run(self.headers.clear)

    def _run(self, function: Any) -> Any:
        async def inside() -> Any:
            return function()
        return self._call(inside())

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    def close(self) -> None:
        self._call(self.server.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


def populate_a(account: Account) -> Account:
    """Account a: one job training (about 60 steps in, of 300), one finished, one that failed a minute ago."""
    account.add("running", total_steps=300, suffix="alpha-run", start_delay=-70.0)
    account.add("done", total_steps=20, suffix="alpha-done", start_delay=-3000.0)
    account.add("failed", total_steps=50, suffix="alpha-bad", fate="fail", start_delay=-60.0)
    return account


def populate_b(account: Account) -> Account:
    """Account b: two jobs training, one still validating its files."""
    account.add("running", total_steps=400, suffix="bravo-one", start_delay=-40.0)
    account.add("running2", total_steps=200, suffix="bravo-two", start_delay=-30.0)
    account.add("waiting", total_steps=100, suffix="bravo-wait", timing=SLOW_START)
    return account


def write_profiles(config_home: Path, text: str) -> Path:
    path = config_home / "ftwatch" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def two_profiles(a: Account, b: Account, *, default: str | None = None) -> str:
    head = f'[defaults]\nprofile = "{default}"\n\n' if default else ""
    return (f'{head}[profiles.a]\nbase_url = "{a.base_url}"\napi_key_env = "FTW_KEY_A"\n\n'
            f'[profiles.b]\nbase_url = "{b.base_url}"\napi_key_env = "FTW_KEY_B"\norganization = "org-bravo"\n')
