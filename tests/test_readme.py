"""The README's two commands are the ones CI and a newcomer run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_opens_with_the_setup_and_test_commands():
    """The first two code blocks set up and open the app, then set up and run the tests."""
    first, second = _readme_commands()[:2]
    assert "pip install -e ." in first and first.endswith("clinic-desktop")
    assert "pip install -e '.[test]'" in second and "pytest" in second


def test_ci_runs_exactly_the_readme_test_command():
    """.ci/run ends with the README's test command, character for character."""
    test_command = _readme_commands()[1]
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip()]
    assert ci_lines[-1] == test_command
