"""`ftwatch serve` in a real browser: Debian's Chromium, headless, driven by playwright.

    python -m ftwatch.devtools.serve_browser [--out screenshots/serve-demo.png]

Used by tests/web and to write the README's browser screenshot, so both see the page the same way.
xterm.js draws the terminal on a canvas, so the page's DOM holds no text; what the TUI sends is read from
the websocket instead (every frame received, escape sequences removed), and the screenshot shows the rest.

Playwright's own browser download is not used (it cannot be fetched here and is not needed): it drives
/usr/bin/chromium with a fresh profile, and the flags that keep Chromium from calling home. The page loads
Google Fonts; every request that is not to the served address is aborted, so nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")
VIEWPORT = {"width": 1200, "height": 760}           # 133 x 42 cells at textual-serve's 16 px font
DEFAULT_OUT = Path(__file__).resolve().parents[3] / "screenshots" / "serve-demo.png"
_ESCAPES = re.compile(r"\x1b(?:\[[0-9;?<>=!]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78DEHM])")


def chromium_missing() -> str | None:
    """Why the browser flow cannot run here (None: it can)."""
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_serve(args: Sequence[str], env: Mapping[str, str] | None = None) -> subprocess.Popen:
    """`ftwatch serve ARGS` in its own process group, so stopping it stops the TUIs it started too."""
    return subprocess.Popen([sys.executable, "-m", "ftwatch", "serve", *args], env=dict(env or os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ftwatch serve exited with {process.returncode}: {process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


def stop_serve(process: subprocess.Popen, timeout: float = 10.0) -> int:
    """SIGTERM (what a service manager sends), then the group is killed if it lingers; returns the exit status."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)
    return process.returncode


def plain(frames: Sequence[str | bytes]) -> str:
    """The text the TUI drew, escape sequences removed (cursor moves split lines; words stay whole)."""
    text = "".join(f.decode("utf-8", "replace") if isinstance(f, bytes) else f for f in frames)
    return _ESCAPES.sub("\n", text)


class ServedPage:
    """One browser tab on the served TUI; `frames` grows as the TUI draws."""

    def __init__(self, url: str) -> None:
        from playwright.sync_api import sync_playwright

        self.url = url
        self.frames: list[str | bytes] = []
        self._profile = tempfile.mkdtemp(prefix="ftwatch-chromium-")
        self._playwright = sync_playwright().start()
        try:
            self._context = self._playwright.chromium.launch_persistent_context(
                self._profile, executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True, viewport=VIEWPORT)
            self.page = self._context.pages[0] if self._context.pages else self._context.new_page()
            self.page.route("**/*", self._local_only)
            self.page.on("websocket", lambda ws: ws.on("framereceived", self._received))
            self.page.goto(url, wait_until="domcontentloaded")
        except BaseException:
            self.close()
            raise

    def _received(self, payload: str | bytes) -> None:
        self.frames.append(payload)

    def _local_only(self, route) -> None:
        if route.request.url.startswith(self.url.rstrip("/")):
            route.continue_()
        else:
            route.abort()

    def text(self, since: int = 0) -> str:
        return plain(self.frames[since:])

    def wait_for(self, check: Callable[[str], bool], timeout: float = 15.0, since: int = 0) -> str:
        """Until `check(text drawn since frame `since`)` holds; the text, or TimeoutError with its tail."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text(since)
            if check(text):
                return text
            if time.monotonic() > deadline:
                raise TimeoutError(f"the served TUI never drew what was expected; last text: {text[-600:]!r}")
            self.page.wait_for_timeout(100)

    def focus(self) -> None:
        """Focus the terminal as a click would, without clicking a row: the TUI fills its key hints only
        while it has focus (Textual's footer waits for the app's focus)."""
        self.page.focus(".xterm-helper-textarea")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        try:
            if getattr(self, "_context", None) is not None:
                self._context.close()
            self._playwright.stop()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> "ServedPage":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def shoot_demo(out: Path) -> Path:
    """Serve the demo, open it, wait until the running job has a chart and the key hints show, screenshot."""
    port = free_port()
    process = start_serve(["--demo", "--port", str(port)])
    try:
        wait_for_port(port, process)
        with ServedPage(f"http://127.0.0.1:{port}/") as served:
            served.wait_for(lambda text: "support-bot" in text and "SIMULATION" in text)
            served.focus()
            served.wait_for(lambda text: "Quit" in text and re.search(r"step \d+/500 ", text) is not None, timeout=30)
            served.page.wait_for_timeout(500)
            return served.screenshot(out)
    finally:
        stop_serve(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ftwatch.devtools.serve_browser", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    missing = chromium_missing()
    if missing:
        print(f"serve_browser: {missing}", file=sys.stderr)
        return 2
    print(shoot_demo(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
