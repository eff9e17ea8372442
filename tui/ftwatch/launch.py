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
from typing import Any, Callable, Mapping, Sequence

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
                           speed: float = 1.0, scenario: Any = None, replay: bool | None = None,
                           replay_start: float | None = None) -> SimBackedSource:
    """Start the simulator (demo jobs, or `scenario`) in the running loop and connect a real source to it.
    `replay` is `ftwatch sim --replay` (None: as each scenario entry says), its first event at `replay_start`
    (default: now): `ftwatch replay` sets both."""
    sim_world, sim_server = await asyncio.to_thread(_import_sim)
    from ftwatch.source.client import open_source

    world = sim_world.World(seed=seed, clock=clock or time.time, speed=speed)
    if scenario is None:
        world.populate_demo()
    else:
        world.load_scenario(scenario, replay=replay, start_at=replay_start)
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


def make_app(settings: Settings, *, demo: bool, clock: Callable[[], float] = time.time,
             profiles: ProfileSwitch | None = None, **demo_options: Any):
    """The one app factory shared by the CLI, the tests and the screenshot script."""
    from ftwatch.ui.app import FtwatchApp

    if demo:
        async def factory() -> JobSource:
            return await open_demo_source(settings, clock=clock, **demo_options)
    else:
        factory = api_factory(settings)

    return FtwatchApp(factory, settings, demo=demo, clock=clock, profiles=profiles)


def api_factory(settings: Settings) -> Callable[[], Any]:
    """The source factory of a real account (awaited by the monitor after its first frame).

    It carries the account's local history as `factory.history` (None with --no-cache): the monitor draws
    what the history has before the source exists, and the source reads result files through it. With
    --offline the source is the history alone."""
    from ftwatch.source.history_source import history_for

    history = history_for(settings)

    async def factory() -> JobSource:
        if settings.offline:
            from ftwatch.source.offline_source import OfflineSource

            assert history is not None          # config refuses --offline with --no-cache
            return OfflineSource(history)
        from ftwatch.source.client import open_source

        source = await open_source(settings)
        if history is None:
            return source
        from ftwatch.source.history_source import CachingSource

        return CachingSource(source, history)

    factory.history = history                   # type: ignore[attr-defined]
    return factory


class ProfileSwitch:
    """The profiles the TUI's palette can switch to (ui/screens/profiles_palette.py's `ProfileChoices`).

    A switch resolves the other profile exactly as `--profile NAME` at launch would (the file is read again: it
    may have been edited since), except that the options that are not about the account stay as this run was
    started with (poll interval, smoothing, timeout, notify command, debug): a `--base-url` typed for one
    account must not follow the user into another, a `--poll-interval` should."""

    def __init__(self, settings: Settings, names: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        self._settings = settings
        self._names = tuple(names)
        self._env = env
        self.current = settings.profile
        self._about: dict[str, str] = {}

    @classmethod
    def for_settings(cls, settings: Settings, env: Mapping[str, str] | None = None) -> ProfileSwitch | None:
        """None unless the file defines a profile to switch to (besides the one in use)."""
        from ftwatch.profiles import load

        found = load(env)
        others = [name for name in found.names if name != settings.profile]
        if not others:
            return None
        switch = cls(settings, found.names, env)
        switch._about = {name: _about(profile) for name, profile in found.profiles.items()}
        return switch

    @property
    def names(self) -> tuple[str, ...]:
        return self._names

    def describe(self, name: str) -> str:
        return self._about.get(name, "")

    def open(self, name: str) -> tuple[Settings, Callable[[], Any]]:
        from types import SimpleNamespace

        from ftwatch.config import from_env

        fresh = from_env(SimpleNamespace(profile=name), self._env)
        kept = self._settings
        settings = dataclasses.replace(fresh, poll_interval=kept.poll_interval, smoothing=kept.smoothing,
                                       timeout=kept.timeout, notify_cmd=kept.notify_cmd, debug=kept.debug,
                                       no_cache=kept.no_cache, offline=kept.offline, cache_dir=kept.cache_dir)
        if not settings.offline:                # offline reads the other account's history: no key needed
            settings.require_credentials()
        return settings, api_factory(settings)


def _about(profile: Any) -> str:
    from urllib.parse import urlsplit

    url = profile.azure_endpoint or profile.base_url
    words = [urlsplit(url).netloc if url else "api.openai.com"]
    words += [value for value in (profile.organization, profile.project) if value]
    return " · ".join(words)


def run_tui(settings: Settings, *, demo: bool, sub_title: str | None = None, **demo_options: Any) -> int:
    """Run the TUI until the user quits; returns the process exit status. `demo_options` go to
    `open_demo_source` (`ftwatch replay`: a scenario, replay, speed), `sub_title` replaces the demo's."""
    if not demo and not settings.offline:    # --offline reads the local history: no key needed
        settings.require_credentials()       # a missing key is a one-line error before the screen opens
    _require_room()
    app = make_app(settings, demo=demo, profiles=None if demo else ProfileSwitch.for_settings(settings),
                   **demo_options)
    if sub_title is not None:
        app.sub_title = sub_title
    _require_theme(app, settings)
    result = asyncio.run(_run_until_signalled(app))
    return app.return_code if app.return_code is not None else (result or 0)


def _require_theme(app: Any, settings: Settings) -> None:
    """A `[defaults] theme` Textual does not know is a one-line error naming the file, not a traceback."""
    if settings.theme and settings.theme not in app.available_themes:
        from ftwatch.profiles import config_path, location

        known = ", ".join(sorted(app.available_themes))
        where = location(config_path(), ("defaults", "theme"))
        raise ConfigError(f"{where}: [defaults] theme {settings.theme!r} is not a theme; known: {known}")


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
