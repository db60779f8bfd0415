"""Refusals specific to evaluation sets and audit runs."""

from governance.errors import ServiceError


class UploadRejected(ServiceError):
    """The uploaded file or its mapping is unusable: every problem, each naming its column."""

    def __init__(self, problems: list, *, field: str = "file") -> None:
        self.problems = problems
        super().__init__(str(problems[0]) if problems else "bad upload", field=field)

    def as_dict(self) -> dict:
        return {
            self.field or "file": [str(problem) for problem in self.problems],
            "problems": [problem.to_dict() for problem in self.problems],
        }


class UploadTooLarge(ServiceError):
    status_code = 413


class QueueUnavailable(ServiceError):
    """The task queue did not take the run; the run is marked errored, never left waiting."""

    status_code = 503
