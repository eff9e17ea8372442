"""Write the README's screenshots (screenshots/*.svg) from the demo, headless and reproducibly.

    python -m ftwatch.devtools.screenshots [--out DIR]

The simulator runs at a fixed seed on a FakeClock, so a screenshot changes only when the product does.
Each picture is taken with the same app factory as `ftwatch --demo` (`launch.make_app`), driven by Textual's
`run_test` and saved with `save_screenshot`. Event times are printed in UTC.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path
from typing import Awaitable, Callable

from ftwatch.config import Settings
from ftwatch.launch import make_app
from ftwatch.sim.world import FakeClock

START = 1_764_000_000.0
DEFAULT_OUT = Path(__file__).resolve().parents[3] / "screenshots"


async def _settle(pilot) -> None:
    """Until every followed job has data and the selected job is on screen."""
    screen = pilot.app.screen
    for _ in range(800):
        selected = screen.selected_job_id
        if selected and screen.latest(selected) and all(screen.latest(j) for j in screen._workers.watchers.followed):
            break
        await pilot.pause(0.025)
    await pilot.pause(0.3)


async def _shoot(path: Path, size: tuple[int, int], *, advance: float = 0.0,
                 actions: Callable[[object], Awaitable[None]] | None = None) -> None:
    clock = FakeClock(START)
    app = make_app(Settings(), demo=True, clock=clock)    # the default intervals, as a user sees them
    async with app.run_test(size=size) as pilot:
        await _settle(pilot)
        if advance:
            clock.advance(advance)
            await pilot.press("r")
            await pilot.pause(0.5)
            await _settle(pilot)
        if actions is not None:
            await actions(pilot)
        app.save_screenshot(filename=path.name, path=str(path.parent))


async def _help(pilot) -> None:
    await pilot.press("question_mark")
    await pilot.pause(0.3)


async def _best_checkpoint(pilot) -> None:
    """The demo's overfitted job (the third from the end of the list) and its checkpoints: `b`."""
    for key in ("G", "k", "k"):
        await pilot.press(key)
    await pilot.pause(1.0)
    await _settle(pilot)
    await pilot.press("b")
    await pilot.pause(1.0)


async def _compare(pilot) -> None:
    """The overfitted, the healthy finished and the stalled job compared by fraction of training."""
    for key in ("G", "k", "k", "space", "k", "space", "k", "space", "v"):
        await pilot.press(key)
    await pilot.pause(3.0)
    await pilot.press("x")
    await pilot.pause(1.0)


async def write_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots = [
        (out / "jobs-overview.svg", (120, 35), 0.0, None),
        (out / "running-job-chart.svg", (140, 45), 150.0, None),
        (out / "help.svg", (120, 35), 0.0, _help),
        (out / "checkpoints.svg", (120, 35), 0.0, _best_checkpoint),
        (out / "compare.svg", (120, 35), 0.0, _compare),
    ]
    for path, size, advance, actions in shots:
        await _shoot(path, size, advance=advance, actions=actions)
    return [path for path, *_ in shots]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ftwatch.devtools.screenshots", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    os.environ["TZ"] = "UTC"
    time.tzset()
    for path in asyncio.run(write_all(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
