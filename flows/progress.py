"""A progress seam: the CLI plugs in a rich display, flows and tests run with the silent default.

Flow parameters must be serializable, so the reporter travels in a context variable instead.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Protocol


class Reporter(Protocol):
    def phase(self, name: str, total: int | None = None) -> None: ...

    def advance(self, step: int = 1) -> None: ...

    def note(self, message: str) -> None: ...


class SilentReporter:
    """Reports nowhere."""

    def phase(self, name: str, total: int | None = None) -> None:
        return None

    def advance(self, step: int = 1) -> None:
        return None

    def note(self, message: str) -> None:
        return None


_SILENT = SilentReporter()
current_reporter: ContextVar[Reporter] = ContextVar("newsmon_reporter", default=_SILENT)
