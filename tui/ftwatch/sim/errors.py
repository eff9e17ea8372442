"""The two ways the simulator says no: an API error (sent to the client in OpenAI's error envelope) and a
scenario error (a bad file given to `ftwatch sim --scenario`, reported as one line naming the file)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An HTTP error in the real envelope `{"error": {"message", "type", "param", "code"}}`."""

    def __init__(self, status: int, message: str, *, type_: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.param = param
        self.code = code

    def envelope(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    @classmethod
    def job_not_found(cls, job_id: str) -> ApiError:
        return cls(404, f"No such fine-tuning job: {job_id}", param="fine_tuning_job_id")

    @classmethod
    def file_not_found(cls, file_id: str) -> ApiError:
        # Verbatim shape of a real 404 from the Files API (SDK repr in a public transcript).
        return cls(404, f"No such File object: {file_id}", param="id")


class ScenarioError(Exception):
    """A scenario file that cannot be loaded; the message names the file and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"scenario {source}: {problem}")
        self.source = source
        self.problem = problem
