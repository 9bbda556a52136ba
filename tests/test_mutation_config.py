"""The mutation-testing set-up (README, "For developers") still points at real modules and tests, and its copy of
the project stays out of git, the lint and the normal test run."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MUTMUT = PYPROJECT["tool"]["mutmut"]


def test_every_module_to_mutate_exists():
    """A renamed module would silently drop out of the mutation run."""
    for pattern in MUTMUT["only_mutate"]:
        assert list(ROOT.glob(pattern)), f"{pattern} matches no file"


def test_every_selected_test_path_exists():
    """mutmut stops with a bad-command error on a test path that is gone."""
    for path in MUTMUT["pytest_add_cli_args_test_selection"]:
        assert (ROOT / path).exists(), f"{path} does not exist"


def test_the_mutants_copy_is_ignored_by_git_ruff_and_pytest():
    assert "mutants/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "mutants" in PYPROJECT["tool"]["ruff"]["extend-exclude"]
    assert "mutants" in PYPROJECT["tool"]["pytest"]["ini_options"]["norecursedirs"]


def test_the_mutation_extra_pins_mutmut_3():
    assert any(req.startswith("mutmut>=3") and "<4" in req
               for req in PYPROJECT["project"]["optional-dependencies"]["mutation"])
