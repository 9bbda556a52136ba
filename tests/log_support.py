"""The log for a test: written to the test's own folder, read back as text, closed afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic_desktop import logs


class LogFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def text(self) -> str:
        """Everything written so far (the handler writes each line through at once)."""
        return self.path.read_text(encoding="utf-8")

    def lines(self, containing: str) -> list[str]:
        return [line for line in self.text().splitlines() if containing in line]


@pytest.fixture
def log_file(tmp_path):
    """The application's log, in tmp_path/logs, with no one signed in."""
    logs.set_user(None)
    path = logs.configure(tmp_path / "logs")
    assert path is not None
    yield LogFile(path)
    logs.stop()
    logs.set_user(None)
