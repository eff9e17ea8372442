"""Telling the user a job finished, when they are looking at another window.

Three channels besides the toast: the terminal bell, a desktop-notification escape for terminals known to
support one, and the user's own `--notify-cmd` (an async subprocess in a worker: the UI never waits on
it). Which escape a terminal understands cannot be queried, so it is chosen from what the environment says
about the terminal; an unknown terminal gets none rather than stray characters.

    OSC 9   ESC ] 9 ; message BEL                  iTerm2, WezTerm, Windows Terminal, ghostty, kitty
    OSC 777 ESC ] 777 ; notify ; title ; body BEL  rxvt-unicode, foot, VTE-based terminals (GNOME, Tilix)

Inside tmux the sequence is wrapped in tmux's DCS passthrough (needs `allow-passthrough on`; tmux drops it
otherwise, harmlessly). The text is cleaned and stripped of `;` so it cannot end the sequence early.
"""

from __future__ import annotations

import asyncio
import os
from typing import Mapping

from ftwatch.domain.text import clean
from ftwatch.domain.transitions import FinishNotices

OSC9_TERMINALS = ("iterm.app", "wezterm", "ghostty", "kitty")
NOTIFY_TIMEOUT = 30.0
FINISH_TOAST_SECONDS = 6.0     # long enough to read; the row's badge and the bell say it for good


def _safe(text: str) -> str:
    return clean(text, max_len=120).replace(";", ",")


def desktop_notification(title: str, body: str, env: Mapping[str, str] | None = None) -> str | None:
    """The escape sequence for this terminal, or None when it is not known to support one."""
    env = os.environ if env is None else env
    program = (env.get("TERM_PROGRAM") or env.get("LC_TERMINAL") or "").lower()
    term = (env.get("TERM") or "").lower()
    if env.get("WT_SESSION") or any(name in program for name in OSC9_TERMINALS) or term == "xterm-kitty":
        sequence = f"\x1b]9;{_safe(title)}: {_safe(body)}\x07"
    elif term.startswith(("rxvt", "foot")) or env.get("VTE_VERSION"):
        sequence = f"\x1b]777;notify;{_safe(title)};{_safe(body)}\x07"
    else:
        return None
    if env.get("TMUX"):
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


async def run_notify_command(command: str, job_id: str, status: str,
                             env: Mapping[str, str] | None = None) -> tuple[int | None, str]:
    """Run the user's command through the shell with FTWATCH_JOB_ID / FTWATCH_JOB_STATUS set.

    Its output never reaches the terminal (the TUI owns it); the first line of stderr is returned so a
    failure can be shown. Returns (exit status or None on timeout, detail).
    """
    child_env = dict(os.environ if env is None else env)
    child_env["FTWATCH_JOB_ID"] = clean(job_id, max_len=200)
    child_env["FTWATCH_JOB_STATUS"] = clean(status, max_len=40)
    process = await asyncio.create_subprocess_shell(
        command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, env=child_env, start_new_session=True,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), NOTIFY_TIMEOUT)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        return None, f"still running after {NOTIFY_TIMEOUT:.0f} s, stopped"
    first_line = stderr.decode("utf-8", "replace").strip().splitlines()[:1]
    return process.returncode, clean(first_line[0], max_len=100) if first_line else ""


def announce_finish(app, job_id: str, name: str, status: str) -> None:
    """Toast, bell and (where supported) a desktop notification for one finished job."""
    job_id, name, status = clean(job_id, max_len=64), clean(name, max_len=80), clean(status, max_len=30)
    severity = {"succeeded": "information", "failed": "error"}.get(status, "warning")
    app.notify(f"{job_id} ({name}) {status}", title="Job finished", severity=severity, markup=False,
               timeout=FINISH_TOAST_SECONDS)
    app.bell()
    sequence = desktop_notification("ftwatch", f"{job_id} {status}")
    if sequence is not None:
        app.write_escape(sequence)


class FinishAnnouncer:
    """Says each job's ending once, on every channel, and runs `--notify-cmd` for it.

    `node` is the screen that owns the notices: the command runs in one of its workers (so it is cancelled
    with the screen) and a failing command is shown as a warning, never swallowed."""

    def __init__(self, node, notify_cmd: str | None) -> None:
        self._node = node
        self._notify_cmd = notify_cmd
        self._notices = FinishNotices()
        self.announced: list[tuple[str, str]] = []      # (job id, status) in the order announced

    def seen(self, job, name: str) -> None:
        transition = self._notices.seen(job)
        if transition is None:
            return
        status = transition.phase.value
        self.announced.append((job.id, status))
        announce_finish(self._node.app, job.id, name, status)
        if self._notify_cmd:
            self._node.run_worker(self._run_command(self._notify_cmd, job.id, status), group="notify-cmd",
                                  exit_on_error=False, description="run --notify-cmd")

    async def _run_command(self, command: str, job_id: str, status: str) -> None:
        returncode, detail = await run_notify_command(command, job_id, status)
        if returncode != 0:
            code = "timed out" if returncode is None else f"exit {returncode}"
            self._node.notify(f"--notify-cmd for {clean(job_id, max_len=64)}: {code} {detail}".strip(),
                              severity="warning", markup=False)
