"""Fixtures for the packaging tests: a clean environment for installed programs, and one bundle build shared
by every test that needs it (building takes a minute or two)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment with nothing of the developer's in it: an empty HOME, no Python path, no clinic
    settings, a UTF-8 locale, the system's PATH only."""
    env = {"HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "TMPDIR": os.environ.get("TMPDIR", "/tmp")}
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, env: dict[str, str], stdin: str = "", timeout: int = 300
        ) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    """The Linux one-folder bundle, built once per test run with the documented command; its folder."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the bundle test builds the Linux bundle")
    try:
        import PyInstaller  # noqa: F401 (only whether it is installed)
    except ImportError:
        pytest.fail("PyInstaller is missing: install the test extra (pip install -e '.[test]')", pytrace=False)
    base = tmp_path_factory.mktemp("bundle")
    started = time.monotonic()
    built = subprocess.run([sys.executable, str(ROOT / "installers" / "build_bundle.py"), "--no-self-test",
                            "--dist", str(base / "dist"), "--work", str(base / "work")],
                           cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    sys.stderr.write(f"\n[bundle built in {time.monotonic() - started:.0f} s]\n")
    return base / "dist" / "clinic-desktop"
