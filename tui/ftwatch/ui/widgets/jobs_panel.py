"""The jobs list with its filter bar: `/` opens the bar above the table, typing narrows the rows at once.

The bar belongs to the list it filters, not to the screen: the panel wires the two together and tells the
screen only that the filter changed (for the status line's count), the way `JobList` tells it which job is
selected. The field is mounted on first use: it is a dozen widgets' worth of CSS the first paint need not
wait for.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from ftwatch.ui.widgets.job_list import JobList


class JobsPanel(Vertical):
    class FilterChanged(Message):
        """The filter text changed (or was cleared); the list already shows the rows it leaves."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def compose(self) -> ComposeResult:
        yield JobList(id="jobs")

    @property
    def job_list(self) -> JobList:
        return self.query_one(JobList)

    def _field(self) -> Input | None:
        return next(self.query("#filter").results(Input), None)

    async def open_filter(self) -> None:
        field = self._field()
        if field is None:
            field = Input(placeholder="filter jobs by id, model, suffix or status", id="filter")
            await self.mount(field, before=self.job_list)
        field.add_class("-open")
        field.focus()

    def close_filter(self, *, keep: bool) -> None:
        """Hide the bar and give the keys back to the list; `keep=False` also clears what was typed."""
        field = self._field()
        if field is not None:
            if not keep and field.value:
                field.value = ""                 # Input.Changed follows, and clears the list's filter
            field.remove_class("-open")
        self.job_list.focus()

    @on(Input.Changed, "#filter")
    def _on_filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value

        def apply() -> None:
            self.job_list.set_filter(text)
            self.post_message(self.FilterChanged(text))

        # Run in the list's own context: Textual does not bubble a message to the node that was handling a
        # message when it was posted, so the list's `Selected` (its first row after filtering) would stop here.
        self.job_list.call_later(apply)

    @on(Input.Submitted, "#filter")
    def _on_filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close_filter(keep=True)
