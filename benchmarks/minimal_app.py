"""The baseline for time-to-first-frame: the smallest Textual app that paints one label."""

from textual.app import App, ComposeResult
from textual.widgets import Label


class OneLabel(App):
    def compose(self) -> ComposeResult:
        yield Label("BASELINE-READY")


if __name__ == "__main__":
    OneLabel().run()
