"""`ftwatch sim`: the simulator as a standalone server.

The first stdout line is the base URL (flushed at once, so a parent process can read it and connect);
it then serves until SIGINT/SIGTERM and exits 0. Anything the user got wrong (a port in use, a bad
scenario or fault spec, a non-loopback host without --allow-remote) is one line on stderr and exit 2.
The API key is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import signal
import sys

from ftwatch.sim.errors import ScenarioError
from ftwatch.sim.faults import FaultPlan
from ftwatch.sim.server import SimServer, is_loopback
from ftwatch.sim.world import World

PROG = "ftwatch sim"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:   # type: ignore[override]
        raise _UsageError(message)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Serve a simulated OpenAI fine-tuning API on loopback.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=0, help="port (default 0: any free port)")
    parser.add_argument("--speed", type=_positive_float, default=1.0,
                        help="time compression: 50 runs a 500-step job in well under a minute")
    parser.add_argument("--seed", type=int, default=0, help="seed for jobs, curves, ids and faults")
    parser.add_argument("--scenario", action="append", default=[], metavar="FILE",
                        help="load jobs from a scenario JSON file (repeatable); replaces the demo jobs")
    parser.add_argument("--replay", action="store_true",
                        help="release recorded scenario events over time in their original rhythm / speed; "
                             "the job object follows (its recorded end state comes with the last event)")
    parser.add_argument("--faults", default=None, metavar="SPEC",
                        help="inject faults, e.g. 429:0.1,500:0.05,slow:0.02,drop:0.02,retry-after=2")
    parser.add_argument("--api-key", default=None, metavar="KEY",
                        help="require this key (otherwise any bearer token is accepted)")
    parser.add_argument("--allow-remote", action="store_true", help="allow binding a non-loopback address")
    parser.add_argument("--no-demo-jobs", action="store_true", help="start with no jobs (unless --scenario)")
    return parser


def _world(args: argparse.Namespace) -> World:
    world = World(seed=args.seed, speed=args.speed)
    for path in args.scenario:
        world.load_scenario(path, replay=True if args.replay else None)
    if not args.scenario and not args.no_demo_jobs:
        world.populate_demo()
    return world


async def _serve(server: SimServer) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await server.start()
        print(server.base_url, flush=True)
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    def fail(message: str) -> int:
        print(f"{PROG}: {message}", file=sys.stderr)
        return 2

    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    except _UsageError as exc:
        return fail(str(exc))
    if not args.allow_remote and not is_loopback(args.host):
        return fail(f"refusing to bind {args.host}: the simulator only binds loopback unless --allow-remote is given")
    try:
        faults = FaultPlan(seed=args.seed, spec=args.faults)
    except ValueError as exc:
        return fail(f"bad --faults: {exc}")
    try:
        world = _world(args)
    except ScenarioError as exc:
        return fail(str(exc))
    server = SimServer(world, api_key=args.api_key, faults=faults, host=args.host, port=args.port,
                       allow_remote=args.allow_remote)
    try:
        asyncio.run(_serve(server))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return fail(f"port {args.port} on {args.host} is already in use")
        return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        return 0
    return 0
