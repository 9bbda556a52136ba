"""The wheel: built from a copy of the sources, installed into a fresh virtual environment outside the tree,
and used as a clinic would (demo, the four printed sheets, the self-test) from a folder outside the tree."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.packaging.conftest import ROOT, clean_env, run

pytestmark = pytest.mark.slow

#: What the wheel is built from (everything pyproject.toml names; nothing else of the tree is copied).
SOURCES = ("pyproject.toml", "README.md", "clinic_desktop", "resources")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The wheel built and installed with its dependencies into a new venv; its paths and the timings."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    source.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__", "*.pyc")}
                                            if (ROOT / name).is_dir() else {}))
    home = base / "home"
    home.mkdir()
    env = clean_env(home)
    started = time.monotonic()
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", ".", "-w", base / "wheels"], source,
                {**env, "HOME": str(Path.home())})  # the developer's pip cache, for the build requirements
    assert built.returncode == 0, built.stderr
    wheel = next((base / "wheels").glob("clinic_desktop-*.whl"))
    build_s = time.monotonic() - started
    venv = base / "venv"
    assert run([sys.executable, "-m", "venv", venv], base, env).returncode == 0
    started = time.monotonic()
    install = run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], base,
                  {**env, "HOME": str(Path.home())})  # pip's cache makes the dependencies quick
    assert install.returncode == 0, install.stderr
    sys.stderr.write(f"\n[wheel built in {build_s:.0f} s, installed with its dependencies in "
                     f"{time.monotonic() - started:.0f} s]\n")
    work = base / "work"
    work.mkdir()
    return {"venv": venv, "program": venv / "bin" / "clinic-desktop", "python": venv / "bin" / "python",
            "work": work, "env": env, "data": work / "data"}


def test_the_installed_package_holds_its_fonts_templates_icons_and_migrations(installed):
    """The wheel's file list has the fonts, every sheet template, every icon and every Alembic migration."""
    listing = run([installed["python"], "-c", "import importlib.metadata as m, json; "
                   "print(json.dumps([str(f) for f in m.files('clinic_desktop')]))"],
                  installed["work"], installed["env"])
    files = set(json.loads(listing.stdout))
    expected = {"clinic_desktop/resources/fonts/DejaVuSans.ttf", "clinic_desktop/resources/fonts/DejaVuSans-Bold.ttf",
                "clinic_desktop/storage/migrations/env.py", "clinic_desktop/resources/clinic-desktop.svg"}
    expected |= {f"clinic_desktop/resources/templates/{p.name}" for p in (ROOT / "resources/templates").iterdir()}
    expected |= {f"clinic_desktop/resources/icons/{p.name}" for p in (ROOT / "resources/icons").iterdir()}
    expected |= {f"clinic_desktop/storage/migrations/versions/{p.name}"
                 for p in (ROOT / "clinic_desktop/storage/migrations/versions").glob("*.py")}
    assert expected - files == set()


def test_nothing_of_the_source_tree_is_used(installed):
    """The venv's Python imports clinic_desktop from its own site-packages, and no sys.path entry is in the tree."""
    probe = run([installed["python"], "-c", "import sys, json, clinic_desktop, clinic_desktop.resources as r; "
                 "print(json.dumps([sys.path, clinic_desktop.__file__, str(r.resource_path('fonts'))]))"],
                installed["work"], installed["env"])
    paths, package, fonts = json.loads(probe.stdout)
    tree = str(ROOT.resolve())
    assert not [p for p in paths if p and str(Path(p).resolve()).startswith(tree)]
    for found in (package, fonts):
        assert Path(found).resolve().is_relative_to(installed["venv"].resolve())


def test_demo_and_the_four_printed_sheets_from_the_wheel(installed, tmp_path):
    """`demo`, then each `print` command signed in as the demo front desk (password on stdin): exit 0, and each
    PDF carries the clinic's text and the patient's name."""
    program, work, env, data = installed["program"], installed["work"], installed["env"], installed["data"]
    demo = run([program, "--data-dir", data, "demo", "--patients", "3"], work, env)
    assert demo.returncode == 0, demo.stderr
    desk = next(line.split() for line in demo.stdout.splitlines() if "Front desk" in line)
    ids = _demo_ids(data / "clinic.db")
    sheets = {"consent": (["--patient", ids["mrn"]], "Consent"),
              "discharge": (["--session", ids["session"]], "988"),
              "record": (["--session", ids["session"]], "Infusion record"),
              "summary": (["--series", ids["series"]], "Course of treatment")}
    for sheet, (target, expected) in sheets.items():
        out = tmp_path / f"{sheet}.pdf"
        printed = run([program, "--data-dir", data, "print", sheet, *target, "--out", out, "--as", desk[0]], work,
                      env, stdin=desk[1] + "\n")
        assert printed.returncode == 0, printed.stderr
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())
        assert expected in text and ids["family_name"] in text


def test_the_self_test_passes_from_the_wheel(installed):
    """`clinic-desktop --self-test` from the installed wheel: exit 0, every step ok."""
    result = run([installed["program"], "--self-test"], installed["work"], installed["env"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("\nok  ") + result.stdout.startswith("ok  ") == 6


def _demo_ids(database: Path) -> dict[str, str]:
    """A discharged session of the demo, its series, its patient's MRN and family name, read with sqlite3."""
    with sqlite3.connect(database) as conn:
        session, series, mrn, family = conn.execute(
            "SELECT s.id, s.series_id, p.mrn, p.family_name FROM treatment_sessions s "
            "JOIN infusion_series r ON r.id = s.series_id JOIN patients p ON p.id = r.patient_id "
            "WHERE s.status = 'discharged' ORDER BY s.id LIMIT 1").fetchone()
    return {"session": str(session), "series": str(series), "mrn": mrn, "family_name": family}
