"""The composition root of the TUI: which source the app watches, and the app's lifetime.

`ui/` never imports the SDK or the simulator; this module hands the app a *factory* that builds the
source, and the app awaits it after its first frame. For `--demo` the factory starts the embedded simulator
on 127.0.0.1 inside the app's own event loop and points a real OpenAI source at it (api key "sim"), so the
demo exercises exactly the code path a real account does. The simulator stops when the source is closed,
which the monitor screen does on exit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import importlib
import os
import signal
import sys
import time
from typing import Any, Callable

from ftwatch.config import Secret, Settings
from ftwatch.errors import ConfigError
from ftwatch.source.base import JobSource

DEMO_SEED = 7


class SimBackedSource:
    """A JobSource that also owns the simulator it talks to: closing it stops the server."""

    def __init__(self, source: JobSource, server: Any) -> None:
        self._source = source
        self._server = server
        host = getattr(server, "host", "127.0.0.1")
        self.description = f"simulated API on {host}"      # no port: screenshots stay identical run to run

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    async def aclose(self) -> None:
        try:
            await self._source.aclose()
        finally:
            await self._server.stop()


async def open_demo_source(settings: Settings, *, seed: int = DEMO_SEED, clock: Callable[[], float] | None = None,
                           speed: float = 1.0, scenario: Any = None, replay: bool | None = None) -> SimBackedSource:
    """Start the simulator (demo jobs, or `scenario`) in the running loop and connect a real source to it.
    `replay` is `ftwatch sim --replay` (None: as each scenario entry says): `ftwatch replay` sets it."""
    sim_world, sim_server = await asyncio.to_thread(_import_sim)
    from ftwatch.source.client import open_source

    world = sim_world.World(seed=seed, clock=clock or time.time, speed=speed)
    if scenario is None:
        world.populate_demo()
    else:
        world.load_scenario(scenario, replay=replay)
    server = sim_server.SimServer(world)
    await server.start()
    try:
        demo_settings = dataclasses.replace(settings, base_url=server.base_url, api_key=Secret("sim"),
                                            azure_endpoint=None, azure_api_key=None)
        source = await open_source(demo_settings)
    except BaseException:
        await server.stop()
        raise
    return SimBackedSource(source, server)


def _import_sim() -> tuple[Any, Any]:
    return importlib.import_module("ftwatch.sim.world"), importlib.import_module("ftwatch.sim.server")


def make_app(settings: Settings, *, demo: bool, clock: Callable[[], float] = time.time, **demo_options: Any):
    """The one app factory shared by the CLI, the tests and the screenshot script."""
    from ftwatch.ui.app import FtwatchApp

    if demo:
        async def factory() -> JobSource:
            return await open_demo_source(settings, clock=clock, **demo_options)
    else:
        async def factory() -> JobSource:
            from ftwatch.source.client import open_source

            return await open_source(settings)

    return FtwatchApp(factory, settings, demo=demo, clock=clock)


def run_tui(settings: Settings, *, demo: bool, sub_title: str | None = None, **demo_options: Any) -> int:
    """Run the TUI until the user quits; returns the process exit status. `demo_options` go to
    `open_demo_source` (`ftwatch replay`: a scenario, replay, speed), `sub_title` replaces the demo's."""
    if not demo:
        settings.require_credentials()       # a missing key is a one-line error before the screen opens
    _require_room()
    app = make_app(settings, demo=demo, **demo_options)
    if sub_title is not None:
        app.sub_title = sub_title
    result = asyncio.run(_run_until_signalled(app))
    return app.return_code if app.return_code is not None else (result or 0)


def _require_room() -> None:
    """A terminal too small to draw the monitor is a one-line error at launch (a running monitor that is shrunk
    shows the same words on screen instead, see ui/min_size.py)."""
    from ftwatch.ui.min_size import too_small

    try:
        columns, rows = os.get_terminal_size(sys.__stdout__.fileno())
    except (AttributeError, OSError, ValueError):      # not a terminal: Textual decides what to do
        return
    message = too_small(columns, rows)
    if message is not None:
        raise ConfigError(message)


async def _run_until_signalled(app: Any) -> Any:
    """Run the app, and let SIGTERM / SIGHUP (a `kill`, a closed SSH session) quit it like `q` does (exit 143 / 129).

    Without this the process dies inside the alternate screen and leaves the terminal in raw mode.
    """
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, functools.partial(app.exit, return_code=128 + signum))
    try:
        return await app.run_async()
    finally:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(signum)
