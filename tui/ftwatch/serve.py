"""`ftwatch serve`: the same TUI in a browser, through textual-serve.

textual-serve runs one command per browser connection (one `ftwatch` process per tab) and relays its screen
over a websocket to xterm.js. Here that command is `python -m ftwatch <the TUI's own options>`, so the served
app is exactly the terminal one. The API key is never on that command line (which every user of the machine
reads in `ps`): textual-serve starts the command with a copy of this process's environment, and the key is
already there. With `--demo` the keys are taken out of the environment first: the demo needs none.

There is no authentication in front of the key: whoever reaches the port drives the TUI with it (reads the
jobs, cancels them). Hence loopback by default, and another host only with `--allow-remote` plus a warning.
Loopback alone does not keep a browser out: any web page may open a websocket to 127.0.0.1 (websockets are
not held back by CORS), and a DNS-rebinding page can make its own name resolve to 127.0.0.1. So every request
must name this server in its Host header (a loopback name, unless remote is allowed), and a websocket's
Origin must be the page that this server handed out.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import shlex
import signal
import sys
from dataclasses import dataclass, field
from typing import Any, Sequence
from urllib.parse import urlsplit

from ftwatch.config import Settings
from ftwatch.errors import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
KEY_VARIABLES = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    allow_remote: bool = False
    tui_argv: tuple[str, ...] = field(default=())      # what the served `ftwatch` gets: the TUI's options


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"{message} (see `{self.prog} --help`)")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, not {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {port}")
    return port


def build_parser() -> argparse.ArgumentParser:
    # allow_abbrev=False: every option this parser does not know goes to the served TUI, so `--ho` must not
    # silently mean --host (nor `--allow` --allow-remote).
    parser = _Parser(
        prog="ftwatch serve", allow_abbrev=False,
        description="The ftwatch TUI in a browser (textual-serve): open the printed address. Each browser tab "
                    "runs its own ftwatch, with the key from this environment; there is no password.",
        epilog="every other option is the TUI's and is passed on: --demo, --base-url, --poll-interval, ... "
               "(see `ftwatch --help`)",
    )
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}; a non-loopback one needs --allow-remote)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a non-loopback --host: anyone who reaches it uses your API key, unasked")
    return parser


def split_serve_args(argv: Sequence[str]) -> ServeOptions:
    """`ftwatch serve ARGS`: the serve options, and the rest, which the served TUI gets unchanged."""
    parser = build_parser()
    known, rest = parser.parse_known_args(list(argv))
    for token in rest:      # `--ho`: argparse would hand it on, and the TUI's parser misread what follows
        name = token.partition("=")[0]
        shortened = [option for option in ("--host", "--port", "--allow-remote") if option.startswith(name)]
        if name.startswith("--") and len(name) > 2 and shortened:
            parser.error(f"{name} is short for {shortened[0]}? write serve's options in full")
    return ServeOptions(host=known.host, port=known.port, allow_remote=known.allow_remote, tui_argv=tuple(rest))


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(options: ServeOptions) -> str | None:
    """Refuse a non-loopback host without the opt-in (ConfigError: one line, exit 2); with it, the warning."""
    if is_loopback(options.host):
        return None
    if not options.allow_remote:
        raise ConfigError(f"--host {options.host} is not a loopback address, and there is no authentication in "
                          "front of your API key; add --allow-remote if everyone who can reach it may use it")
    return (f"ftwatch: warning: serving on {options.host}:{options.port} with no authentication: anyone who can "
            "reach this port watches, cancels and pauses jobs with your API key")


def served_command(tui_argv: Sequence[str], *, python: str = sys.executable) -> str:
    """The shell command textual-serve runs per connection; options only, the key stays in the environment."""
    return shlex.join([python, "-m", "ftwatch", *tui_argv])


def allowed_hosts(options: ServeOptions) -> frozenset[str] | None:
    """The Host headers a request may carry (None: any, when remote is allowed and the names are unknown)."""
    if options.allow_remote and not is_loopback(options.host):
        return None
    bound = f"[{options.host}]" if ":" in options.host else options.host
    names = {name.lower() for name in (*LOOPBACK_NAMES, bound)}
    hosts = {f"{name}:{options.port}" for name in names}
    if options.port == 80:
        hosts |= names
    return frozenset(hosts)


def request_refusal(host: str, origin: str | None, *, websocket: bool, allowed: frozenset[str] | None) -> str | None:
    """Why a request is turned away (None: it may pass). Pure, so the rules are tested without a server."""
    host = host.lower()
    if allowed is not None and host not in allowed:
        return f"unexpected Host {host!r}: open the address ftwatch printed"
    if websocket and origin is not None and urlsplit(origin).netloc.lower() != host:
        return "a websocket from another site is refused"
    return None


def serve_tui(options: ServeOptions, settings: Settings, *, demo: bool, command: str | None) -> int:
    """Run the server until Ctrl-C / SIGTERM; a refusal is a ConfigError (exit 2) before anything binds."""
    if command is not None:
        raise ConfigError(f"serve runs the TUI, not `{command}`: ftwatch serve [--demo] [TUI options]")
    warning = check_host(options)
    if not demo:
        settings.require_credentials()
    if warning is not None:
        print(warning, file=sys.stderr, flush=True)
    if demo:
        from ftwatch.profiles import load

        own = [profile.api_key_env for profile in load().profiles.values() if profile.api_key_env]
        for name in (*KEY_VARIABLES, *own):     # the profiles' own key variables too (profiles.py)
            os.environ.pop(name, None)
    try:
        _server(options).serve()
    except OSError as exc:          # the port is taken, or the address is not this machine's
        reason = str(exc.strerror or exc).rpartition(": ")[2]     # aiohttp repeats the address before it
        raise ConfigError(f"cannot listen on {options.host}:{options.port}: {reason}; "
                          "choose another --port or --host") from None
    return 0


def _server(options: ServeOptions) -> Any:
    """The textual-serve Server with the Host/Origin guard, per-request page URLs and a one-line banner."""
    from aiohttp import web
    from textual_serve.server import Server

    allowed = allowed_hosts(options)
    shown_host = f"[{options.host}]" if ":" in options.host else options.host
    address = f"http://{shown_host}:{options.port}"

    @web.middleware
    async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
        websocket = request.headers.get("Upgrade", "").lower() == "websocket"
        refusal = request_refusal(request.host, request.headers.get("Origin"), websocket=websocket, allowed=allowed)
        if refusal is not None:
            print(f"ftwatch: refused a request from {request.remote}: {refusal}", flush=True)
            raise web.HTTPForbidden(text=f"ftwatch serve: {refusal}\n")
        if websocket:       # one line per session instead of the access log's line per file
            print(f"ftwatch: a browser at {request.remote} opened the TUI", flush=True)
        return await handler(request)

    class GuardedServer(Server):
        def initialize_logging(self) -> None:
            super().initialize_logging()
            logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(guard)
            return app

        async def handle_index(self, request: web.Request) -> Any:
            # The page's script and websocket addresses follow the name the browser used (localhost or
            # 127.0.0.1), so the websocket's Origin is the Host it connects to. The parent renders its template
            # without awaiting in between, so no other request sees this request's address.
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def on_startup(self, app: web.Application) -> None:
            """No banner yet: the port is not bound at startup, and a busy port must not claim to serve."""

        def serve(self, debug: bool = False) -> None:
            # The parent's serve(), with aiohttp's after-binding `print` kept for the one line that says where.
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self.request_exit)
            try:
                web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                            print=lambda *_: print(f"ftwatch: serving the TUI on {address} (Ctrl+C stops)",
                                                   flush=True))
            finally:
                if not loop.is_closed():
                    loop.close()

    return GuardedServer(served_command(options.tui_argv), host=options.host, port=options.port, title="ftwatch",
                         public_url=address)
