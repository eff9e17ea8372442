"""The `ftwatch` command: argparse, settings, and one place that turns errors into exit statuses.

    ftwatch [--demo] [options]                 the TUI (ftwatch.launch.run_tui)
    ftwatch sim ...                            the simulator (arguments go to ftwatch.sim.cli.main)
    ftwatch serve [--host H] [--port N] ...    the TUI in a browser (ftwatch.serve; other options: the TUI's)
    ftwatch follow JOB_ID [--json]             print the job's events until it ends
    ftwatch wait JOB_ID                        wait for the end; one summary line
    ftwatch summary SOURCE [--json]            job id, result CSV or recorded job file
    ftwatch export SOURCE [--format csv|jsonl] [-o FILE]
    ftwatch jobs [--status S] [--limit N] [--json]   the account's jobs as a table (ftwatch.headless.jobs_cmd)
    ftwatch status --oneline [--tmux] [--width N]    one line for tmux's status-right (headless.status_line)
    ftwatch config path|show                   the profiles file (ftwatch.profiles; headless.config_cmd)
    ftwatch cache info|prune|clear             the local history (ftwatch.history; headless.cache_cmd)
    ftwatch record JOB_ID -o FILE              the job as a simulator scenario (headless.record_cmd)
    ftwatch replay JOB_ID|FILE [--speed X]     the TUI on the embedded simulator replaying it (ftwatch.replay)

`--profile NAME` (every command, the TUI too) picks an account from the profiles file; see config.py for how
it ranks against flags and the environment.

Exit statuses: 0 succeeded (or done), 1 job failed, 3 job cancelled, 2 usage or configuration error,
4 API error that retrying cannot fix (401, 404, unreachable host), 130 interrupted (Ctrl-C), 143 terminated
(SIGTERM: the command stops like Ctrl-C, closing its connection, without a traceback).

Nothing heavy is imported at module level: `ftwatch --help` and `--version` must be instant and work without a
TTY; the openai SDK, Textual and the simulator load only inside the command that needs them. Every
FtwatchError ends as one line on stderr, "ftwatch: <message>", never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import sys
import tempfile
from typing import Any, Callable, Coroutine, Sequence

from ftwatch import __version__
from ftwatch.config import Settings, from_env, parse_smoothing
from ftwatch.errors import ConfigError, FatalSourceError, FtwatchError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED, EXIT_API, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(Exception):
    """SIGTERM arrived while a headless command ran (a service manager, `timeout`, `kill`)."""


class UsageError(Exception):
    """argparse's complaint, turned into one line instead of usage + error + SystemExit."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


class _RefuseKeyFlag(argparse.Action):
    """`--api-key sk-...` is refused by name: a key on the command line lands in the shell history and in
    `ps` for every user of the machine. Without this, argparse took the key for a command name and printed
    it back ("invalid choice: 'sk-...'")."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        parser.error(f"{option_string} is not accepted: a key on the command line ends up in the shell history "
                     "and in `ps`; set OPENAI_API_KEY (or AZURE_OPENAI_API_KEY) in the environment instead")


def _smoothing_arg(text: str) -> float | None:
    try:
        return parse_smoothing(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _positive_arg(what: str) -> Callable[[str], float]:
    """The argparse `type=` of a finite number > 0: "a number of seconds", "a number" (NaN and inf refused)."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, not {text!r}") from None
        if not value > 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(f"must be a positive {what.removeprefix('a ')}, not {text}")
        return value
    return parse


_seconds_arg = _positive_arg("a number of seconds")
_speed_arg = _positive_arg("a number")


def _connection_options() -> argparse.ArgumentParser:
    """Options every command accepts, before or after the command name (SUPPRESS: unset ones don't clobber)."""
    shared = _Parser(add_help=False, argument_default=argparse.SUPPRESS)
    group = shared.add_argument_group("connection (flag > environment > profile > default)")
    group.add_argument("--profile", metavar="NAME", help="an account from the profiles file (env FTWATCH_PROFILE; "
                       "`ftwatch config show` lists them)")
    group.add_argument("--base-url", metavar="URL", help="API base URL (env OPENAI_BASE_URL)")
    group.add_argument("--organization", metavar="ORG", help="organization id (env OPENAI_ORG_ID)")
    group.add_argument("--project", metavar="PROJECT", help="project id (env OPENAI_PROJECT_ID)")
    group.add_argument("--azure-endpoint", metavar="URL", help="Azure OpenAI endpoint (env AZURE_OPENAI_ENDPOINT; "
                       "key from AZURE_OPENAI_API_KEY)")
    group.add_argument("--api-version", metavar="V", help="Azure API version (env OPENAI_API_VERSION)")
    group.add_argument("--timeout", type=_seconds_arg, metavar="S", help="per-request timeout (default 30)")
    group.add_argument("--poll-interval", type=_seconds_arg, metavar="S",
                       help="seconds between polls of a running job (default 2; queued jobs 5x slower)")
    group.add_argument("--api-key", "--key", action=_RefuseKeyFlag, nargs="?", help=argparse.SUPPRESS)
    group.add_argument("--debug", action="store_true",
                       help="log API requests (keys redacted) to stderr; the TUI logs to a temp file")
    cache = shared.add_argument_group("local history (in the user data dir; env FTWATCH_CACHE_DIR)")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write the local history")
    cache.add_argument("--offline", action="store_true",
                       help="read only the local history: no request at all (wait refuses)")
    return shared


def build_parser() -> argparse.ArgumentParser:
    shared = _connection_options()
    parser = _Parser(
        prog="ftwatch",
        description="A calm terminal live monitor for OpenAI fine-tuning jobs. The API key is read from "
                    "OPENAI_API_KEY (or AZURE_OPENAI_API_KEY), never from a flag.",
        parents=[shared],
        epilog="exit statuses: 0 succeeded, 1 failed, 3 cancelled, 2 usage/config error, 4 an API error retrying "
               "cannot fix (key refused 401, unknown job 404, host unreachable after retries)",
    )
    parser.add_argument("--version", action="version", version=f"ftwatch {__version__}")
    parser.add_argument("--demo", action="store_true", help="watch simulated jobs (no key needed)")
    parser.add_argument("--notify-cmd", metavar="CMD", help="run CMD when a job finishes "
                        "(env FTWATCH_JOB_ID, FTWATCH_JOB_STATUS)")
    parser.add_argument("--smoothing", type=_smoothing_arg, metavar="W", default=argparse.SUPPRESS,
                        help="loss smoothing weight in [0, 1) or 'auto' (default auto)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    commands.add_parser("sim", help="run the OpenAI fine-tuning API simulator (see `ftwatch sim --help`)",
                        add_help=False)
    commands.add_parser("serve", help="the TUI in a browser, on 127.0.0.1 (see `ftwatch serve --help`)",
                        add_help=False)

    follow = commands.add_parser("follow", parents=[shared], help="print a job's events until it ends")
    follow.add_argument("job_id", metavar="JOB_ID")
    follow.add_argument("--json", action="store_true", help="one event object per line, exactly as the API sent it")
    follow.add_argument("--smoothing", type=_smoothing_arg, metavar="W", default=argparse.SUPPRESS,
                        help="loss smoothing weight in [0, 1) or 'auto'")

    wait = commands.add_parser("wait", parents=[shared], help="wait until a job ends; one line at the end")
    wait.add_argument("job_id", metavar="JOB_ID")
    wait.add_argument("--json", action="store_true", help="print the final job object as the API returned it")

    summary = commands.add_parser("summary", parents=[shared], help="losses, steps and trend of a job")
    summary.add_argument("source", metavar="SOURCE",
                         help="job id, result CSV (base64 or decoded), or recorded job file")
    summary.add_argument("--json", action="store_true", help="one JSON object")
    summary.add_argument("--smoothing", type=_smoothing_arg, metavar="W", default=argparse.SUPPRESS,
                         help="loss smoothing weight in [0, 1) or 'auto'")

    export = commands.add_parser("export", parents=[shared], help="the metrics per step as CSV or JSON lines")
    export.add_argument("source", metavar="SOURCE", help="job id, result CSV (base64 or decoded), or recorded job file")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--json", dest="format", action="store_const", const="jsonl",
                        help="the same as --format jsonl (as follow and summary take --json)")
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    export.add_argument("--smoothing", type=_smoothing_arg, metavar="W", default=argparse.SUPPRESS,
                        help="smoothing weight for the smoothed column, or 'auto'")

    jobs = commands.add_parser("jobs", parents=[shared], help="the account's jobs: status, progress, ETA")
    jobs.add_argument("--status", type=_statuses_arg, action="extend", metavar="S[,S]", default=[],
                      help="only jobs with these statuses (running, queued, succeeded, failed, ...; repeatable)")
    jobs.add_argument("--limit", type=_count_arg, default=20, metavar="N", help="the newest N jobs (default 20; 0: all)")
    jobs.add_argument("--json", action="store_true", help="one job object per line, exactly as the API returned it")

    status = commands.add_parser("status", parents=[shared], help="running jobs in one line (for tmux's status bar)")
    status.add_argument("--oneline", action="store_true", help="one short line (the default is one line per job)")
    status.add_argument("--tmux", action="store_true", help="with tmux colour codes (#[fg=...]); implies --oneline")
    status.add_argument("--width", type=_count_arg, metavar="N", help="at most N cells: less detail, then cut")

    config = commands.add_parser("config", parents=[shared], help="the profiles file: `config path`, `config show`")
    config.add_argument("action", choices=("path", "show"), help="path: where it is; show: what ftwatch reads from it")

    cache = commands.add_parser("cache", parents=[shared], help="the local history: `cache info`, `prune`, `clear`")
    cache.add_argument("action", choices=("info", "prune", "clear"),
                       help="info: path, size, accounts, jobs, events; prune: drop old finished jobs; clear: empty it")
    cache.add_argument("--older-than", metavar="AGE", default=None,
                       help="prune: finished jobs created more than AGE ago (30d, 12h, 2w; default 30d)")
    cache.add_argument("--json", action="store_true", help="info: one JSON object")

    record = commands.add_parser("record", parents=[shared], help="save a job as a simulator scenario (for replay, "
                                 "a colleague or a bug report)")
    record.add_argument("job_id", metavar="JOB_ID")
    record.add_argument("-o", "--output", metavar="FILE", required=True, help="the scenario file to write ('-': stdout)")

    replay = commands.add_parser("replay", parents=[shared], help="the TUI on a recorded job, replayed live")
    replay.add_argument("target", metavar="JOB_ID|FILE", help="a file from `ftwatch record` (or any scenario), or a "
                        "job id to record first")
    replay.add_argument("--speed", type=_speed_arg, default=1.0, metavar="X",
                        help="time compression: 60 replays an hour of the job in a minute (default 1)")
    return parser


def _statuses_arg(text: str) -> list[str]:
    from ftwatch.headless.job_glance import STATUSES

    wanted = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in STATUSES]
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(f"unknown status {', '.join(unknown) or repr(text)}; known: "
                                         f"{', '.join(STATUSES)}")
    return wanted


def _count_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sim"]:
        from ftwatch.sim.cli import main as sim_main

        try:
            return sim_main(argv[1:])
        except SystemExit as done:      # its --help
            return done.code if isinstance(done.code, int) else EXIT_OK
    stop_logging = None
    try:
        serve = None
        if argv[:1] == ["serve"]:       # its own options; the rest are the served TUI's, parsed as the TUI's
            from ftwatch.serve import split_serve_args

            serve = split_serve_args(argv[1:])
            argv = list(serve.tui_argv)
        args = build_parser().parse_args(argv)
        if getattr(args, "command", None) == "config":     # answers even when the file is broken
            from ftwatch.headless.config_cmd import config_command

            return config_command(args.action, out=sys.stdout, profile=getattr(args, "profile", None))
        settings = from_env(args)
        if settings.debug:
            stop_logging = _start_debug_log(settings, tui=getattr(args, "command", None) is None)
        if serve is not None:
            from ftwatch.serve import serve_tui

            return serve_tui(serve, settings, demo=args.demo, command=getattr(args, "command", None))
        return _dispatch(args, settings)
    except SystemExit as done:          # --help / --version
        return done.code if isinstance(done.code, int) else EXIT_OK
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except ConfigError as exc:
        return _fail(exc.message, EXIT_USAGE)
    except FatalSourceError as exc:
        return _fail(exc.message, EXIT_API)
    except FtwatchError as exc:
        return _fail(exc.message, EXIT_API)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Terminated:
        return EXIT_TERMINATED
    except BrokenPipeError:             # `ftwatch follow --json | head`: the reader left, nothing went wrong
        _silence_stdout()
        return EXIT_OK
    finally:
        if stop_logging is not None:
            stop_logging()


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    command = getattr(args, "command", None)
    if command is None:
        if not args.demo and not settings.offline:
            settings.require_credentials()
        from ftwatch.launch import run_tui

        return run_tui(settings, demo=args.demo)
    if command == "wait" and settings.offline:
        raise ConfigError("wait --offline cannot wait: nothing changes in the local history without the API "
                          "(`ftwatch summary JOB_ID --offline` tells how the job stood)")
    if command in ("follow", "wait") and not settings.offline:
        settings.require_credentials()
    if command == "cache":
        from ftwatch.headless.cache_cmd import cache_command

        return cache_command(settings, args.action, out=sys.stdout, older_than=args.older_than, as_json=args.json)
    if command == "follow":
        from ftwatch.headless.follow import follow

        return _run(follow(settings, args.job_id, json_lines=args.json))
    if command == "wait":
        from ftwatch.headless.wait import wait

        return _run(wait(settings, args.job_id, as_json=args.json))
    if command == "summary":
        from ftwatch.headless.summary import summary

        return _run(summary(settings, args.source, as_json=args.json))
    if command == "export":
        from ftwatch.headless.export import export

        return _run(export(settings, args.source, fmt=args.format, output=args.output))
    if command == "jobs":
        from ftwatch.headless.jobs_cmd import jobs, terminal_width

        return jobs(settings, out=sys.stdout, statuses=args.status, limit=args.limit, as_json=args.json,
                    width=terminal_width(sys.stdout))
    if command == "status":
        from ftwatch.headless.status_line import status

        if args.width == 0:
            raise UsageError("--width must be at least 1")
        return status(settings, out=sys.stdout, oneline=args.oneline or args.tmux, tmux=args.tmux, width=args.width)
    if command == "record":
        from ftwatch.headless.record_cmd import record

        if not getattr(settings, "offline", False):     # --offline records from the local history: no key needed
            settings.require_credentials()
        return _run(record(settings, args.job_id, args.output))
    if command == "replay":
        from ftwatch.replay import replay

        return replay(settings, args.target, speed=args.speed)
    if command == "serve":
        raise UsageError("`serve` comes first, its options after it: ftwatch serve [--demo] [--port N]")
    raise UsageError(f"unknown command {command!r}")


def _run(command: Coroutine[Any, Any, int]) -> int:
    """`asyncio.run(command)`, with SIGTERM cancelling it the way Ctrl-C does: the poller's `finally` blocks
    close the connection, then `main` exits 143 instead of dying mid-write with a traceback."""

    async def guarded() -> int:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        terminated = False

        def on_sigterm() -> None:
            nonlocal terminated
            terminated = True
            task.cancel()

        previous = signal.getsignal(signal.SIGTERM)
        try:
            loop.add_signal_handler(signal.SIGTERM, on_sigterm)
            installed = True
        except (NotImplementedError, RuntimeError, ValueError):     # Windows, or not the main thread
            installed = False
        try:
            return await command
        except asyncio.CancelledError:
            if terminated:
                raise Terminated() from None
            raise
        finally:
            if installed:
                loop.remove_signal_handler(signal.SIGTERM)
                signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)

    return asyncio.run(guarded())


def _fail(message: str, status: int) -> int:
    print(f"ftwatch: {message}", file=sys.stderr, flush=True)
    return status


class RedactingFilter(logging.Filter):
    """Masks the configured keys and any Authorization / api-key header value in every log record."""

    _HEADER = re.compile(r"(?i)((?:authorization|api-key)['\"]?\s*[:=]\s*['\"]?)(bearer\s+)?[^\s'\",}]+")
    _BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\",}]+")

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        text = self._HEADER.sub(lambda m: f"{m.group(1)}{m.group(2) or ''}***", text)
        return self._BEARER.sub(r"\1***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        return True


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        return


def _start_debug_log(settings: Settings, *, tui: bool) -> Callable[[], None]:
    """--debug: request logs through the redacting filter; returns the undo (main runs in tests too).

    Headless commands log to stderr. The TUI paints on stderr, so it logs to a file in the temp directory
    instead, and says where when it exits."""
    if tui:
        path = os.path.join(tempfile.gettempdir(), f"ftwatch-debug-{os.getpid()}.log")
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    else:
        path = None
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("ftwatch debug %(asctime)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(settings.secrets()))
    loggers = [logging.getLogger(name) for name in ("ftwatch", "openai", "httpx2")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)

    def undo() -> None:
        for logger, level in zip(loggers, levels):
            logger.removeHandler(handler)
            logger.setLevel(level)
        handler.close()
        if path is not None:
            print(f"ftwatch: debug log written to {path}", file=sys.stderr)

    return undo
