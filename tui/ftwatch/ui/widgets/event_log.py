"""The selected job's events, oldest at the top, following the tail until the user scrolls up.

Built on Textual's `Log` (~290k lines/s with `write_lines`, bounded by `max_lines`) rather than `RichLog`
(~5k lines/s). Each poll appends its new events in ONE `write_lines` call. A scrolling log repaints every
visible row, so per-step metric lines are thinned: the chart already shows every step, and the log keeps
about fifty metric lines per job (plus every full-validation step and the last step) so it scrolls when
something is said, not every second. The full history stays in the job's timeline either way. Which lines
is the domain's decision (`log_thinning`): it reads the timeline's compact step index, so a poll that brings
a hundred metrics events builds only the two or three it shows.

Scrolling up pauses following and counts the lines that arrive meanwhile; `End` or `f` resumes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.highlighter import Highlighter
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Log

from ftwatch.domain.format import clock_time, event_line
from ftwatch.domain.events.log_thinning import kept_positions
from ftwatch.domain.models import JobEvent
from ftwatch.domain.snapshot import EventsView
from ftwatch.domain.text import clean

LEVEL_COLUMN = slice(9, 14)          # "HH:MM:SS LEVEL message": the level word's cells


def kept_lines(events: EventsView, start: int, total_steps: int | None) -> list[str]:
    """The log lines of `events[start:]` that `keep_in_log` keeps (`log_thinning`: a timeline view is thinned
    from its compact step index, so only the events shown are built)."""
    return [log_line(events[i]) for i in kept_positions(events, start, total_steps)]


def log_line(event: JobEvent) -> str:
    stamp = clock_time(event.created_at) if event.created_at else "--:--:--"
    level = clean(event.level, max_len=5) or "info"
    return f"{stamp} {level:<5} {event_line(event)}"


class _LevelHighlighter(Highlighter):
    """Colours the fixed level column only, so text inside a message can never restyle the line."""

    def __init__(self, log: EventLog) -> None:
        self._log = log

    def highlight(self, text: Text) -> None:
        word = text.plain[LEVEL_COLUMN].strip()
        tone = {"warn": "warn", "warni": "warn", "error": "error"}.get(word, "info")
        style = self._log.get_component_rich_style(f"event-log--{tone}", partial=True)
        text.stylize(style, LEVEL_COLUMN.start, LEVEL_COLUMN.stop)


class EventLog(Log):
    COMPONENT_CLASSES = {"event-log--info", "event-log--warn", "event-log--error"}
    BINDINGS = [Binding("end", "follow", "Follow", show=False, id="log.follow_end")]

    # `Widget.virtual_size` lays out the whole screen and repaints the whole widget whenever it changes, i.e.
    # on every append (~3 KB on the terminal for a 30-row pane, and a full layout pass). The log's own size
    # never depends on its content, and `Log` already repaints the lines it adds (scrolling repaints what
    # moves), so here a new size only updates the scroll bounds; a layout runs only if a scrollbar appears.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    def watch_virtual_size(self, size: Size) -> None:
        shown = (self.show_vertical_scrollbar, self.show_horizontal_scrollbar)
        self._scroll_update(size)
        if (self.show_vertical_scrollbar, self.show_horizontal_scrollbar) != shown:
            self.refresh(layout=True)

    @dataclass
    class Following(Message):
        """Posted when following starts or stops, or the count of unseen lines changes."""

        event_log: EventLog
        following: bool
        unseen: int

        @property
        def control(self) -> EventLog:
            return self.event_log

    def __init__(self, *, max_lines: int = 5000, id: str | None = None) -> None:
        super().__init__(highlight=True, max_lines=max_lines, auto_scroll=False, id=id)
        self.highlighter = _LevelHighlighter(self)
        self._job_id: str | None = None
        self._count = 0
        self.following = True
        self.unseen = 0

    def clear(self) -> EventLog:
        """Empty the log and repaint all of it: `Log.clear` counts on a new virtual size to repaint, which this
        class turned off (above), and a log left half painted shows the previous job's lines under the new ones."""
        super().clear()
        self.refresh()
        return self

    def show_events(self, job_id: str, events: EventsView, total_steps: int | None) -> None:
        """Append what is new in `events` (the job's full history), or start over for another job."""
        if job_id != self._job_id:
            self._job_id = job_id
            self._count = 0
            self.clear()
            self.following, self.unseen = True, 0
            self._announce()
            start = max(0, len(events) - 20 * (self.max_lines or 5000))
        else:
            start = self._count
        if len(events) <= start:
            self._count = max(self._count, len(events))
            return
        lines = kept_lines(events, start, total_steps)
        self._count = len(events)
        if lines:
            self._append(lines)

    def _append(self, lines: list[str]) -> None:
        before = len(self.lines)
        # Following: `Log` scrolls at once and repaints just the new rows while the pane is not full yet;
        # scroll_end=False would repaint the whole pane on every append.
        self.write_lines(lines, scroll_end=self.following)
        pruned = max(0, before + len(lines) - len(self.lines))
        if pruned:
            # Every kept line moved up: `Log` repaints only the rows it thinks are new (counted before the
            # pruning), and a full log would otherwise look frozen on screen.
            self.refresh()
        if self.following:
            self.scroll_end(animate=False, x_axis=False)     # after the next layout: the new size is known
            return
        if pruned:   # keep the paused view on the same lines while old ones fall off the top
            self.scroll_to(y=max(0, self.scroll_y - pruned), animate=False, immediate=True)
        self.unseen += len(lines)
        self._announce()

    def on_resize(self) -> None:
        if self.following:
            self.scroll_end(animate=False, x_axis=False)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        at_end = new >= self.max_scroll_y
        if at_end and not self.following:
            self.following, self.unseen = True, 0
            self._announce()
        elif not at_end and self.following and new < old:
            self.following = False
            self._announce()

    def action_follow(self) -> None:
        self.scroll_end(animate=False, x_axis=False)
        if not self.following:
            self.following, self.unseen = True, 0
            self._announce()

    def _announce(self) -> None:
        self.post_message(self.Following(self, self.following, self.unseen))
