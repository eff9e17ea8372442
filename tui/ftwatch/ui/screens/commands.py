"""The command palette: "jump to job" (type part of an id, model or suffix) and every action by its name.

Job names come from the server, and the palette's own highlighter parses its input as markup, so hits are
built here from plain `Content` with the matched characters styled, never through `Matcher.highlight`.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content


def plain_hits(matcher, candidates: list[tuple[str, Callable[[], None], str]]) -> list[Hit]:
    """Fuzzy hits over (text, callback, help), the matched characters styled on plain `Content`: job names
    come from the server, and the matcher's own highlighter would parse them as markup."""
    hits = []
    for text, callback, help_text in candidates:
        score, offsets = matcher.fuzzy_search.match(matcher.query, text)
        if score <= 0:
            continue
        content = Content(text)
        for offset in offsets:
            content = content.stylize(matcher.match_style, offset, offset + 1)
        hits.append(Hit(score, content, callback, text=text, help=help_text))
    return hits


@runtime_checkable
class JobDirectory(Protocol):
    """What the palette needs of the screen it opens over (the monitor screen is one; nothing is imported)."""

    def job_choices(self) -> list[tuple[str, str, str]]:
        """(job id, searchable label, badge) of the jobs the list shows, in its order."""
        ...

    def jump_to_job(self, job_id: str) -> None: ...


class JumpToJob(Provider):
    def _choices(self) -> list[tuple[str, str, str]]:
        screen = self.screen
        return screen.job_choices() if isinstance(screen, JobDirectory) else []

    def _jump(self, job_id: str) -> None:
        screen = self.screen
        if isinstance(screen, JobDirectory):
            screen.jump_to_job(job_id)

    async def discover(self) -> Hits:
        for job_id, label, phase in self._choices():
            yield DiscoveryHit(Content(f"jump to {label}"), partial(self._jump, job_id), text=f"jump to {job_id}",
                               help=phase)

    async def search(self, query: str) -> Hits:
        candidates = [(f"jump to {label}", partial(self._jump, job_id), phase)
                      for job_id, label, phase in self._choices()]
        for hit in plain_hits(self.matcher(query), candidates):
            yield hit


class RunAction(Provider):
    """Every action the screen offers right now, by name ("Pause/resume", "Log scale"...), with its key.

    Read from the screen's active bindings (the same list the footer and the help show), so an action is
    offered exactly when its key would work, and a new binding appears here without being listed twice."""

    def _actions(self) -> list[tuple[str, str, str]]:
        seen, found = set(), []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.description or not active.enabled or binding.description in seen:
                continue
            seen.add(binding.description)
            key = binding.key_display or self.app.get_key_display(binding)
            found.append((binding.description, key, binding.action))
        return found

    def _run(self, action: str) -> None:
        self.app.call_later(self.screen.run_action, action)

    async def discover(self) -> Hits:
        for description, key, action in self._actions():
            yield DiscoveryHit(Content(description), partial(self._run, action), text=description, help=f"key {key}")

    async def search(self, query: str) -> Hits:
        candidates = [(description, partial(self._run, action), f"key {key}")
                      for description, key, action in self._actions()]
        for hit in plain_hits(self.matcher(query), candidates):
            yield hit
