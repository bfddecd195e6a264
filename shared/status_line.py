"""One transient console line showing the latest output of a long child process (a training's progress bar,
fairseq's or mmseg's periodic lines), while the whole output goes to the log file.

Only on a terminal: the line is rewritten in place (carriage return, erase to the end of the line) and
cleared when the process ends, so the console keeps one line per pipeline step.
"""

from __future__ import annotations

import codecs
import re
import shutil
import time
from typing import TextIO

_SEGMENT_END = re.compile(r"[\r\n]")
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # a child's own cursor and colour codes


class StatusLine:
    """Feed it the child's output as it arrives; it shows the newest non-empty segment (split at \\r and \\n)."""

    def __init__(self, console: TextIO, prefix: str = "", min_interval_s: float = 0.2) -> None:
        self.console, self.prefix, self.min_interval_s = console, prefix, min_interval_s
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may span two chunks
        self._pending = ""  # the text after the last \r or \n: a progress bar being drawn
        self._latest = ""
        self._shown_at = 0.0
        self._shown = False

    def feed(self, data: bytes) -> None:
        text = _ESCAPES.sub("", self._pending + self._decoder.decode(data))
        *complete, self._pending = _SEGMENT_END.split(text)
        newest = next((s for s in reversed([*complete, self._pending]) if s.strip()), "")
        if newest:
            self._latest = newest.strip()
        now = time.monotonic()
        if self._latest and now - self._shown_at >= self.min_interval_s:
            self._show(self._latest)
            self._shown_at = now

    def _show(self, text: str) -> None:
        width = shutil.get_terminal_size((100, 20)).columns - 1
        line = (self.prefix + text)[:width]
        self.console.write("\r" + line + "\x1b[K")
        self.console.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.console.write("\r\x1b[K")
            self.console.flush()
            self._shown = False
