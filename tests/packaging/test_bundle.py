"""The PyInstaller one-folder bundle, built once and run as a clinic would: from outside the source tree with
an empty HOME, on SQLite and on the PostgreSQL server."""

from __future__ import annotations

import pytest

from clinic_desktop import __version__
from clinic_desktop.storage.schema import HEAD
from tests.packaging.conftest import ROOT, clean_env, run
from tests.postgres_support import scratch_database

pytestmark = pytest.mark.slow


@pytest.fixture
def place(tmp_path):
    """A working folder and an empty HOME, both far from the source tree."""
    home = tmp_path / "home"
    home.mkdir()
    return tmp_path, clean_env(home)


def test_the_bundle_reports_its_version(bundle, place):
    """`clinic-desktop --version` from the bundle prints the package's version."""
    cwd, env = place
    result = run([bundle / "clinic-desktop", "--version"], cwd, env)
    assert (result.returncode, result.stdout.strip()) == (0, f"clinic-desktop {__version__}")


def test_the_bundle_passes_its_self_test(bundle, place):
    """The bundle's --self-test creates and migrates a new database from the migration files it carries, prints
    all four sheets with its fonts, and opens the window offscreen with its icon: exit 0, every step ok."""
    cwd, env = place
    result = run([bundle / "clinic-desktop", "--self-test"], cwd, env)
    assert result.returncode == 0, result.stdout + result.stderr
    steps = [line for line in result.stdout.splitlines() if line.startswith(("ok  ", "FAILED  "))]
    assert [s.split(":")[0] for s in steps] == ["ok  database", "ok  demo", "ok  sheets", "ok  checks", "ok  window",
                                                 "ok  desktop"]
    assert "Traceback" not in result.stderr
    # Nothing was written to the (empty) home folder: the self-test keeps to its temporary folder.
    assert list((cwd / "home").iterdir()) == []


def test_the_bundle_is_trimmed_but_keeps_what_the_clinic_needs(bundle):
    """No Wayland, EGLFS, VNC or linuxfb plug-ins and no Qt translations; the X11 and offscreen platforms, the
    CUPS printing plug-in, PDFium, psycopg's compiled implementation and every migration are there."""
    files = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    names = " ".join(files)
    for gone in ("libqwayland", "libqeglfs", "libqvnc", "libqlinuxfb", "qtbase_de.qm", "libQt6Quick", "libqgtk3"):
        assert gone not in names
    internal = "_internal/"
    for kept in ("PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqoffscreen.so",
                 "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", "pypdfium2_raw/libpdfium.so",
                 "clinic_desktop/storage/migrations/env.py", "clinic_desktop/resources/fonts/DejaVuSans.ttf"):
        assert internal + kept in files
    assert any(f.startswith(internal + "psycopg_binary/_psycopg") for f in files)
    migrations = {f.rsplit("/", 1)[1] for f in files if "/migrations/versions/" in f and f.endswith(".py")}
    assert migrations == {p.name for p in (ROOT / "clinic_desktop/storage/migrations/versions").glob("*.py")}


@pytest.mark.postgres
def test_the_bundle_works_on_postgresql(bundle, place):
    """`demo --patients 2` then `info` from the bundle against a new PostgreSQL database: the bundled psycopg
    connects, the schema is created by the bundled migrations, and info counts the demo's patients."""
    cwd, env = place
    with scratch_database("clinic_bundle") as url:
        demo = run([bundle / "clinic-desktop", "--database-url", url, "--data-dir", cwd / "data", "demo",
                    "--patients", "2"], cwd, env)
        assert demo.returncode == 0, demo.stdout + demo.stderr
        info = run([bundle / "clinic-desktop", "--database-url", url, "--data-dir", cwd / "data", "info"], cwd, env)
    assert info.returncode == 0, info.stderr
    lines = dict(line.split(":", 1) for line in info.stdout.splitlines())
    assert lines["Database"].strip().startswith("postgresql+psycopg://")
    assert lines["Patients"].strip() == "2" and lines["Schema revision"].strip() == HEAD
