"""Typed errors and problem records for bad input (an HTTP 400 upstream, exit code 2 on the CLI)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: the column it concerns (or "" for the file) and why."""

    column: str
    reason: str

    def __str__(self) -> str:
        return f"column '{self.column}': {self.reason}" if self.column else self.reason

    def to_dict(self) -> dict:
        return {"column": self.column, "reason": self.reason}


class BatteryInputError(ValueError):
    """Bad input: its message is one line naming the column and the problem."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        first = str(self.problems[0]) if self.problems else "bad input"
        more = len(self.problems) - 1
        message = first + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")
        super().__init__(" ".join(message.split()))
