"""A plain progress bar for long commands, redrawn in place on a terminal and printed sparingly elsewhere."""

from __future__ import annotations

import time
from typing import TextIO

#: Characters of the bar itself.
WIDTH = 30
#: Away from a terminal (a log, a pipe), a line at most this often, so the output stays readable.
PLAIN_INTERVAL_S = 10.0


class ProgressBar:
    """`[#########.....]  45%  45000/100000 patients  0:52, about 1:04 left` on one line of `stream`."""

    def __init__(self, total: int, unit: str, stream: TextIO) -> None:
        self._total = max(1, total)
        self._unit = unit
        self._stream = stream
        self._started = time.monotonic()
        self._last_plain = 0.0
        self._live = bool(getattr(stream, "isatty", lambda: False)())
        self._shown = False

    def show(self, done: int) -> None:
        now = time.monotonic()
        if not self._live and done < self._total and now - self._last_plain < PLAIN_INTERVAL_S:
            return
        self._last_plain = now
        self._stream.write(("\r" if self._live else "") + self.line(done, now - self._started)
                           + ("" if self._live else "\n"))
        self._stream.flush()
        self._shown = True

    def line(self, done: int, elapsed: float) -> str:
        fraction = min(1.0, done / self._total)
        filled = round(WIDTH * fraction)
        text = (f"[{'#' * filled}{'.' * (WIDTH - filled)}] {fraction:4.0%}  {done}/{self._total} {self._unit}  "
                f"{_clock(elapsed)}")
        if 0 < done < self._total:
            text += f", about {_clock(elapsed * (self._total - done) / done)} left"
        return text.ljust(WIDTH + 60)

    def close(self) -> None:
        """End the bar's line (on a terminal), so what is printed next starts on its own line."""
        if self._live and self._shown:
            self._stream.write("\n")
            self._stream.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"
