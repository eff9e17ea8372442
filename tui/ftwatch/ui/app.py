"""FtwatchApp: wires the monitor screen, the help and the global keys. It decides nothing itself.

The data source is not built here: `source_factory` is awaited by the monitor screen in a worker after the
first frame, because importing the openai SDK (or starting the simulator) costs half a second and the
first frame must come as fast as a bare Textual app's. Until then the layout shows "connecting…".
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Awaitable, Callable

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from ftwatch.errors import FtwatchError
from ftwatch.source.base import JobSource
from ftwatch.ui import partial_updates
from ftwatch.ui.screens.help import HelpScreen
from ftwatch.ui.screens.monitor import MonitorScreen
from ftwatch.ui.screens.profiles_palette import ProfileChoices, SwitchProfile

SourceFactory = Callable[[], Awaitable[JobSource]]


class FtwatchApp(App[int]):
    TITLE = "ftwatch"
    COMMANDS = App.COMMANDS | {SwitchProfile}
    CSS_PATH = [
        "app.tcss",
        "screens/monitor.tcss",
        "screens/dialogs.tcss",
        "widgets/job_list.tcss",
        "widgets/job_header.tcss",
        "widgets/job_progress.tcss",
        "widgets/loss_chart.tcss",
        "widgets/event_log.tcss",
        "widgets/status_line.tcss",
    ]
    # Below 100 columns the panes stack (chart above log) instead of being cut off.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # Below 30 rows the jobs list gives way to the chart; below 24 it gives way further (see monitor.tcss).
    VERTICAL_BREAKPOINTS = [(0, "-low"), (24, "-short"), (30, "-tall")]
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("f1", "help", "Help", show=False, id="app.help_f1"),
    ]

    def __init__(self, source_factory: SourceFactory, settings, *, demo: bool = False,
                 clock: Callable[[], float] = time.time, profiles: ProfileChoices | None = None) -> None:
        super().__init__()
        partial_updates.install()
        self._source_factory = source_factory
        self._settings = settings
        self._demo = demo
        self._clock = clock
        self.profiles = profiles            # the other accounts the palette can switch to (None: no switching)
        if demo:
            self.sub_title = "demo · simulated jobs"
        theme = getattr(settings, "theme", None)
        if theme and theme in self.available_themes:      # launch.py says so when it is not
            self.theme = theme

    def on_load(self) -> None:
        """Pause the cyclic garbage collector until the first frame is on screen (see `first_frame_shown`).

        Starting up allocates a few hundred thousand objects that live as long as the app (modules, classes,
        parsed CSS, widgets); the collector would walk them again and again before the first paint (~60 ms of
        a ~400 ms start measured here, one full collection alone ~30 ms), and reclaim nothing."""
        if gc.isenabled():
            gc.disable()
            self._gc_paused = True

    def first_frame_shown(self) -> None:
        """Resume collecting, with everything alive now frozen: those objects are never walked again, which
        keeps later collections (and the CPU while following a job) small."""
        if getattr(self, "_gc_paused", False):
            self._gc_paused = False
            gc.freeze()
            gc.enable()

    def libraries_loaded(self) -> None:
        """A library loaded after the first frame (the SDK, the chart's plotext) is in: freeze what it left
        alive too, after collecting the young garbage (a few ms).

        Without this the collector's first full pass, about a minute after launch and then every few minutes,
        walks every object of the SDK: 140-190 ms of CPU in one go, a visible stall, and 0.2 % of a core averaged
        over that minute while following a job (issue 6)."""
        if gc.isenabled() and not getattr(self, "_gc_paused", False):
            gc.collect(1)
            gc.freeze()

    def on_unmount(self) -> None:
        if getattr(self, "_gc_paused", False):     # quit before the first frame
            self._gc_paused = False
            gc.enable()

    def get_default_screen(self) -> Screen:
        return MonitorScreen(self._source_factory, self._settings, demo=self._demo, clock=self._clock)

    async def switch_profile(self, name: str) -> None:
        """Watch another profile's account: a new monitor screen with its settings replaces the current one
        (whose unmount stops its workers and closes its source), so no job of one account lingers in the other."""
        if self.profiles is None or not isinstance(self.screen, MonitorScreen):
            return
        try:
            settings, factory = await asyncio.to_thread(self.profiles.open, name)
        except FtwatchError as error:
            self.notify(error.message, title="Profile", severity="error", markup=False, timeout=10)
            return
        self.profiles.current = name
        self._settings, self._source_factory = settings, factory
        old, new = self.screen, MonitorScreen(factory, settings, demo=self._demo, clock=self._clock)
        if len(self.screen_stack) > 1:
            await self.switch_screen(new)
        else:                   # the launch screen is the stack's bottom, which Textual cannot replace: cover it
            await self.push_screen(new)
            await old.stop_watching()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        ours: dict[str, list[str]] = {}
        widget_keys: dict[str, list[str]] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.description and active.enabled:
                shown = ours if binding.id else widget_keys     # ftwatch's own bindings all carry an id
                shown.setdefault(binding.description, []).append(binding.key_display or self.get_key_display(binding))
        rows = [(" / ".join(keys), description) for description, keys in ours.items()]
        extra = [(" / ".join(keys), description) for description, keys in widget_keys.items()]
        self.push_screen(HelpScreen(rows, extra))

    def write_escape(self, sequence: str) -> None:
        """Send an escape sequence the terminal acts on (desktop notifications).

        Textual offers `bell()` and `copy_to_clipboard()` but no public way to emit other escapes; both of
        those write through the driver exactly like this, after the current frame, so nothing interleaves.
        """
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write(sequence)
