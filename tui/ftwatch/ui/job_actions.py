"""`c` cancels, `p` pauses or resumes the selected job: ask first, send it in a worker, say what the server said.

The preconditions (is there a job, may it be paused now?) are the monitor state's `JobAction`; this module
is the conversation around it. The answer comes back as a `JobActionAnswered` message to the screen, which
hands it to `answered` and re-polls, so the job's row and header show the new status within a poll.
"""

from __future__ import annotations

from ftwatch.domain.text import clean
from ftwatch.errors import FtwatchError
from ftwatch.source.base import JobSource
from ftwatch.ui import messages as m
from ftwatch.ui import presentation as p
from ftwatch.ui.monitor_state import JobAction
from ftwatch.ui.screens.confirm import ConfirmJobAction

TITLES = {"cancel": "Cancel requested", "pause": "Pause requested", "resume": "Resume requested"}


class JobActions:
    def __init__(self, screen) -> None:
        self._screen = screen

    def request(self, action: JobAction | None, source: JobSource | None) -> None:
        if action is None or action.job is None or source is None:
            return
        job = action.job
        if action.refusal is not None:
            self._screen.notify(f"{clean(job.id, max_len=64)} {action.refusal}", markup=False, timeout=4)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._screen.run_worker(self._send(source, action.verb, job.id), group="job-action",
                                        exit_on_error=False, description=f"{action.verb} a job")

        self._screen.app.push_screen(ConfirmJobAction(action.verb, job.id, p.job_name(job)), confirmed)

    async def _send(self, source: JobSource, verb: str, job_id: str) -> None:
        call = {"cancel": source.cancel_job, "pause": source.pause_job, "resume": source.resume_job}[verb]
        try:
            job = await call(job_id)
        except FtwatchError as error:
            self._screen.post_message(m.JobActionAnswered(verb, job_id, error=error))
            return
        self._screen.post_message(m.JobActionAnswered(verb, job_id, job=job))

    def answered(self, message: m.JobActionAnswered) -> None:
        job_id = clean(message.job_id, max_len=64)
        if message.error is not None:
            self._screen.notify(f"{message.verb.capitalize()} failed: {message.error.message} ({job_id})",
                                title=message.error.title, severity="error", markup=False, timeout=10)
            return
        status = message.job.status if message.job is not None else "unknown"
        self._screen.notify(f"{job_id}: the server says {clean(status, max_len=30)}", title=TITLES[message.verb],
                            markup=False)
