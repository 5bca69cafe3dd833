"""A one-line progress bar for long runs, on stderr, silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from typing import TextIO

WIDTH = 28


class Progress:
    """``[#####.....] 12/152 softmax-3x5``, redrawn in place; nothing at all in logs and pipes,
    where a carriage-return animation would be noise."""

    def __init__(self, total: int, stream: TextIO | None = None):
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())

    def step(self, label: str) -> None:
        """Show that the item ``label`` is being worked on, after ``done`` finished items."""
        done, self.done = self.done, self.done + 1
        if not self.enabled:
            return
        filled = WIDTH * done // self.total
        bar = "#" * filled + "." * (WIDTH - filled)
        line = f"[{bar}] {done}/{self.total} {label}"[:100]
        self.stream.write(f"\r{line:<100}")
        self.stream.flush()

    def close(self) -> None:
        """Erase the bar so that the next line starts clean."""
        if self.enabled:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
