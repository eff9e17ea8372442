"""The selected job's events, oldest at the top, following the tail until the user scrolls up.

One line per kept event ("HH:MM:SS LEVEL message"), folded to the pane's width by the domain's `wrap`:
long messages continue on rows indented under the message column instead of being cut at the pane's edge,
and a new width (terminal resize, or the stacked layout below 100 columns) folds them again. The widget is a
`ScrollView` over those rows rather than Textual's `Log`, whose lines are its rows: a wrapped log must keep
the events (what is bounded by `max_lines`, what "+N new" counts) apart from the rows it draws.

Each poll appends its new events in ONE call, wrapping only those lines, and repaints only the new rows
(scrolling repaints what moves). A scrolling log repaints every visible row, so per-step metric lines are
thinned: the chart already shows every step, and the log keeps about fifty metric lines per job (plus every
full-validation step and the last step) so it scrolls when something is said, not every second. Which lines
is the domain's decision (`log_thinning`): it reads the timeline's compact step index, so a poll that brings
a hundred metrics events builds only the two or three it shows.

Scrolling up (keys, wheel, Home) pauses following and counts the events that arrive meanwhile; `End` or `f`
resumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from ftwatch.domain.events.log_thinning import kept_positions
from ftwatch.domain.format import clock_time, event_line
from ftwatch.domain.models import JobEvent
from ftwatch.domain.snapshot import EventsView
from ftwatch.domain.text import clean
from ftwatch.domain.wrap import LOG_MESSAGE_COLUMN, WrappedLines

LEVEL_COLUMN = slice(9, 14)          # "HH:MM:SS LEVEL message": the level word's cells


def kept_lines(events: EventsView, start: int, total_steps: int | None) -> list[str]:
    """The log lines of `events[start:]` that `keep_in_log` keeps (`log_thinning`: a timeline view is thinned
    from its compact step index, so only the events shown are built)."""
    return [log_line(events[i]) for i in kept_positions(events, start, total_steps)]


def log_line(event: JobEvent) -> str:
    stamp = clock_time(event.created_at) if event.created_at else "--:--:--"
    level = clean(event.level, max_len=5) or "info"
    return f"{stamp} {level:<5} {event_line(event)}"


class _LevelHighlighter:
    """Colours the fixed level column of a line's first row only, so text inside a message (or on its
    continuation rows, which have no level) can never restyle the line."""

    TONES = {"warn": "warn", "warni": "warn", "error": "error"}

    def __init__(self, log: EventLog) -> None:
        self._log = log

    def highlight(self, text: Text) -> None:
        tone = self.TONES.get(text.plain[LEVEL_COLUMN].strip(), "info")
        style = self._log.get_component_rich_style(f"event-log--{tone}", partial=True)
        text.stylize(style, LEVEL_COLUMN.start, LEVEL_COLUMN.stop)


class EventLog(ScrollView, can_focus=True, inherit_bindings=False):
    ALLOW_SELECT = True
    COMPONENT_CLASSES = {"event-log--info", "event-log--warn", "event-log--error"}
    # Only the keys a wrapped, vertical log uses (no sideways scrolling), each with an id for the keymap and
    # the help screen. Instant, not animated: an animated page repaints the pane a dozen times.
    BINDINGS = [
        Binding("up", "scroll_rows(-1)", "Scroll log", show=False, id="log.scroll_up"),
        Binding("down", "scroll_rows(1)", "Scroll log", show=False, id="log.scroll_down"),
        Binding("pageup", "page(-1)", "Page log", show=False, id="log.page_up"),
        Binding("pagedown", "page(1)", "Page log", show=False, id="log.page_down"),
        Binding("home", "top", "Log top (pauses)", show=False, id="log.top"),
        Binding("end", "follow", "Follow log", show=False, id="log.follow_end"),
    ]

    # `Widget.virtual_size` lays out the whole screen and repaints the whole widget whenever it changes, i.e.
    # on every append (~3 KB on the terminal for a 30-row pane, and a full layout pass). The log's own size
    # never depends on its content, and `_append` repaints the rows it adds (scrolling repaints what moves),
    # so here a new size only updates the scroll bounds; a layout runs only if a scrollbar appears.
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
        super().__init__(id=id)
        self._text = WrappedLines(max_lines, LOG_MESSAGE_COLUMN, get_character_cell_size)
        self._highlighter = _LevelHighlighter(self)
        self._strips: LRUCache[tuple[str, bool], Strip] = LRUCache(1024)    # row text -> drawn row
        self._job_id: str | None = None
        self._count = 0
        self._settling = False       # rewrapping: scroll moves are ours, not the user's
        self.following = True
        self.unseen = 0

    @property
    def max_lines(self) -> int | None:
        """How many lines (events, not rows) the log keeps; older ones drop off the top."""
        return self._text.max_lines

    @property
    def lines(self) -> Sequence[str]:
        """One line per event shown (unwrapped), oldest first."""
        return self._text.lines

    @property
    def line_count(self) -> int:
        return len(self._text.lines)

    @property
    def rows(self) -> Sequence[str]:
        """The rows as drawn at the current width (continuation rows indented under the message)."""
        return self._text.rows

    def clear(self) -> EventLog:
        """Empty the log and repaint all of it (a log left half painted shows the previous job's lines under
        the new ones)."""
        self._text.clear()
        self.virtual_size = Size(self._text.width, 0)
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
        if self._wrap_width() != self._text.width:
            self._rewrap()
        first_new = len(self._text.rows)
        added, dropped = self._text.append(lines)
        self.virtual_size = Size(self._text.width, len(self._text.rows))
        if dropped:
            # Every kept row moved up: repaint the pane, or a full log would look frozen on screen.
            self.refresh()
        else:
            self.refresh_lines(first_new, added)
        if self.following:
            # At once (the pane repaints just the new rows while it is not full yet), and again after the next
            # layout in case the pane's size was not known yet.
            self.scroll_end(animate=False, immediate=True, x_axis=False)
            self.scroll_end(animate=False, x_axis=False)
            return
        if dropped:   # keep the paused view on the same lines while old ones fall off the top
            self.scroll_to(y=max(0, self.scroll_y - dropped), animate=False, immediate=True)
        self.unseen += len(lines)
        self._announce()

    def _wrap_width(self) -> int:
        return self.scrollable_content_region.width

    def _rewrap(self) -> None:
        """Fold every line for the current width; a paused view stays on the line at its top."""
        text = self._text
        top_line, within = text.line_at(round(self.scroll_y))
        text.rewrap(self._wrap_width())
        self._settling = True
        try:
            self.virtual_size = Size(text.width, len(text.rows))
            if self.following:
                self.scroll_end(animate=False, immediate=True, x_axis=False)
            else:
                self.scroll_to(y=text.row_of(top_line, within), animate=False, immediate=True)
        finally:
            self._settling = False
        self.refresh()

    def on_resize(self) -> None:
        if self._wrap_width() != self._text.width:
            self._rewrap()
        if self.following:
            self.scroll_end(animate=False, x_axis=False)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        rich_style = self.rich_style
        rows = self._text.rows
        if index >= len(rows):
            return Strip.blank(width, rich_style)
        selection = self.text_selection
        key = (rows[index], self._text.is_first(index))
        strip = self._strips.get(key) if selection is None else None
        if strip is None:
            strip = self._draw_row(key[0], key[1], index, selection)
            if selection is None:
                self._strips[key] = strip
        return strip.crop_extend(0, width, rich_style).apply_offsets(0, index)

    def _draw_row(self, row: str, first: bool, index: int, selection: Selection | None) -> Strip:
        text = Text(row, no_wrap=True, end="")
        text.stylize(self.rich_style)
        if first:
            self._highlighter.highlight(text)
        if selection is not None and (span := selection.get_span(index)) is not None:
            start, end = span
            text.stylize(self.screen.get_component_rich_style("screen--selection"), start,
                         len(text) if end == -1 else end)
        return Strip(text.render(self.app.console), cell_len(row))

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(self._text.rows)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self._settling:
            return
        at_end = new >= self.max_scroll_y
        if at_end and not self.following:
            self.following, self.unseen = True, 0
            self._announce()
        elif not at_end and self.following and new < old:
            self.following = False
            self._announce()

    def action_scroll_rows(self, delta: int) -> None:
        self.scroll_to(y=self.scroll_y + delta, animate=False, immediate=True)

    def action_page(self, direction: int) -> None:
        page = max(1, self.scrollable_content_region.height - 1)     # one row of context stays in view
        self.scroll_to(y=self.scroll_y + direction * page, animate=False, immediate=True)

    def action_top(self) -> None:
        """Home: the oldest line; following pauses (once there is anything above the view)."""
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_follow(self) -> None:
        self.scroll_end(animate=False, immediate=True, x_axis=False)
        if not self.following:
            self.following, self.unseen = True, 0
            self._announce()

    def _announce(self) -> None:
        self.post_message(self.Following(self, self.following, self.unseen))
