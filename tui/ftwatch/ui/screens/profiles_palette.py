"""The profile switcher: "switch to profile work" in the command palette (ctrl+p), one entry per other profile.

Switching replaces the monitor screen with a fresh one built from the other profile's settings: the old
screen's workers stop and its source closes (its unmount does that), the new one connects as a launch would.
Nothing of one account's jobs, marks or chart survives into the other's screen, so two accounts can never be
mixed on screen; the history cache (when there is one) is keyed by account (base URL + organization +
project), so two profiles that point at different accounts keep different caches without any work here.

The profiles come from the composition root (launch.py) through `ProfileChoices`: the UI never builds a source
itself, and reading the profiles file again (it may have been edited since launch) happens off the event loop.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Awaitable, Callable, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hits, Provider
from textual.content import Content

from ftwatch.domain.text import clean
from ftwatch.ui.screens.commands import JobDirectory, plain_hits


@runtime_checkable
class ProfileChoices(Protocol):
    """What the switcher needs to know and do; launch.ProfileSwitch is the real one."""

    current: str | None

    @property
    def names(self) -> tuple[str, ...]: ...

    def describe(self, name: str) -> str:
        """A few words to tell profiles apart in the palette: the host, the organization or project."""
        ...

    def open(self, name: str) -> tuple[Any, Callable[[], Awaitable[Any]]]:
        """(settings, source factory) for the profile, resolved as `--profile NAME` would be. Blocking (it reads
        the file): call it in a thread. Raises ConfigError (a broken file, an unknown profile)."""
        ...


class SwitchProfile(Provider):
    """Offered over the monitor screen only: a switch from inside another view would leave that view over the
    old account's screen."""

    def _choices(self) -> list[tuple[str, str]]:
        profiles = getattr(self.app, "profiles", None)
        if not isinstance(profiles, ProfileChoices) or not isinstance(self.screen, JobDirectory):
            return []
        return [(name, clean(profiles.describe(name), max_len=60)) for name in profiles.names
                if name != profiles.current]

    def _switch(self, name: str) -> None:
        switch = getattr(self.app, "switch_profile", None)
        if switch is not None:
            self.app.call_later(switch, name)

    async def discover(self) -> Hits:
        for name, about in self._choices():
            label = f"switch to profile {clean(name, max_len=40)}"
            yield DiscoveryHit(Content(label), partial(self._switch, name), text=label, help=about)

    async def search(self, query: str) -> Hits:
        candidates = [(f"switch to profile {clean(name, max_len=40)}", partial(self._switch, name), about)
                      for name, about in self._choices()]
        for hit in plain_hits(self.matcher(query), candidates):
            yield hit
