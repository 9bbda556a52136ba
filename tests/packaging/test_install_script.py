"""installers/linux/install.sh: the bundle, a launcher, the menu entry and the icons for a user; --uninstall
takes them away again and leaves the clinic's data folder alone."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, clean_env, run

SCRIPT = ROOT / "installers" / "linux" / "install.sh"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


@pytest.fixture
def user(tmp_path):
    """A fake user: an empty HOME and XDG data folder, and the environment to run the script in."""
    home = tmp_path / "home"
    home.mkdir()
    data = tmp_path / "xdg-data"
    return home, data, clean_env(home, XDG_DATA_HOME=str(data))


@pytest.fixture
def fake_bundle(tmp_path) -> Path:
    """A folder shaped like the built bundle: a program that echoes its arguments, and the icons inside."""
    folder = tmp_path / "dist" / "clinic-desktop"
    resources = folder / "_internal" / "clinic_desktop" / "resources"
    shutil.copytree(ROOT / "resources" / "icons", resources / "icons")
    shutil.copy2(ROOT / "resources" / "clinic-desktop.svg", resources / "clinic-desktop.svg")
    program = folder / "clinic-desktop"
    program.write_text('#!/bin/sh\necho "fake clinic-desktop $*"\n', encoding="utf-8")
    program.chmod(0o755)
    (folder / "_internal" / "version-1").write_text("1", encoding="utf-8")
    return folder


def install(env, *args) -> subprocess.CompletedProcess:
    return run(["sh", SCRIPT, *args], ROOT.parent, env)


def test_install_puts_bundle_launcher_menu_entry_and_icons_in_place(user, fake_bundle):
    """The bundle is copied to ~/.local/opt, the launcher on ~/.local/bin runs it with its arguments, the menu
    entry runs it by full path, and every icon size is in the hicolor theme."""
    home, data, env = user
    result = install(env, fake_bundle)
    assert result.returncode == 0, result.stderr
    opt = home / ".local" / "opt" / "clinic-desktop"
    assert (opt / "_internal" / "version-1").is_file()
    launcher = home / ".local" / "bin" / "clinic-desktop"
    assert launcher.stat().st_mode & stat.S_IXUSR
    assert run([launcher, "--self-test"], home, env).stdout.strip() == "fake clinic-desktop --self-test"
    entry = (data / "applications" / "clinic-desktop.desktop").read_text(encoding="utf-8")
    assert f"Exec={opt}/clinic-desktop\n" in entry and "Icon=clinic-desktop\n" in entry
    for size in SIZES:
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "clinic-desktop.png").is_file()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "clinic-desktop.svg").is_file()
    assert "--self-test" in result.stdout


def test_the_menu_entry_is_valid(user, fake_bundle):
    """desktop-file-validate (when installed) finds nothing wrong with the installed entry."""
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate is not installed (apt package desktop-file-utils)")
    home, data, env = user
    assert install(env, fake_bundle).returncode == 0
    checked = run([validate, data / "applications" / "clinic-desktop.desktop"], home, env)
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")


def test_installing_again_replaces_the_old_version_completely(user, fake_bundle):
    """A second install (a newer bundle) leaves no file of the first one behind."""
    home, _data, env = user
    assert install(env, fake_bundle).returncode == 0
    (fake_bundle / "_internal" / "version-1").rename(fake_bundle / "_internal" / "version-2")
    assert install(env, fake_bundle).returncode == 0
    internal = home / ".local" / "opt" / "clinic-desktop" / "_internal"
    assert (internal / "version-2").is_file() and not (internal / "version-1").exists()
    assert not (home / ".local" / "opt" / "clinic-desktop.new").exists()


def test_uninstall_removes_the_program_and_keeps_the_data(user, fake_bundle):
    """--uninstall removes the bundle, launcher, entry and icons; the data folder with the database stays, and
    says so."""
    home, data, env = user
    assert install(env, fake_bundle).returncode == 0
    clinic_data = data / "clinic_desktop"
    clinic_data.mkdir(parents=True)
    (clinic_data / "clinic.db").write_bytes(b"the clinic's records")
    result = install(env, "--uninstall")
    assert result.returncode == 0, result.stderr
    assert not (home / ".local" / "opt" / "clinic-desktop").exists()
    assert not (home / ".local" / "bin" / "clinic-desktop").exists()
    assert not (data / "applications" / "clinic-desktop.desktop").exists()
    assert not list((data / "icons").rglob("clinic-desktop.*"))
    assert (clinic_data / "clinic.db").read_bytes() == b"the clinic's records"
    assert "data was not touched" in result.stdout


def test_uninstall_leaves_a_program_of_the_same_name_it_did_not_install(user):
    """A clinic-desktop on ~/.local/bin that is not this script's launcher (e.g. from pip) is not removed."""
    home, _data, env = user
    other = home / ".local" / "bin" / "clinic-desktop"
    other.parent.mkdir(parents=True)
    other.write_text("#!/bin/sh\necho pip's\n", encoding="utf-8")
    assert install(env, "--uninstall").returncode == 0
    assert other.is_file()


def test_a_folder_that_is_not_a_bundle_is_refused_and_nothing_is_installed(user, tmp_path):
    """Given a folder without the program, the script exits 1 with one sentence and installs nothing."""
    home, data, env = user
    empty = tmp_path / "not-a-bundle"
    empty.mkdir()
    result = install(env, empty)
    assert result.returncode == 1 and "is not a built bundle" in result.stderr
    assert not (home / ".local").exists() and not data.exists()


def test_system_wide_needs_root(user, fake_bundle, tmp_path):
    """--system run by an ordinary user is refused with a sentence, before anything is copied (an ordinary user
    is played by an `id` that answers 1000, so the test means the same when run as root)."""
    _home, _data, env = user
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    (fake_bin / "id").write_text("#!/bin/sh\necho 1000\n", encoding="utf-8")
    (fake_bin / "id").chmod(0o755)
    result = install({**env, "PATH": f"{fake_bin}:{env['PATH']}"}, "--system", fake_bundle)
    assert result.returncode == 1 and "needs root" in result.stderr


@pytest.mark.slow
def test_the_real_bundle_installs_and_runs_from_the_launcher(user, bundle):
    """The bundle the bundle tests built, installed for a user: the launcher prints the version."""
    home, _data, env = user
    assert install(env, bundle).returncode == 0
    result = run([home / ".local" / "bin" / "clinic-desktop", "--version"], home, env)
    assert result.returncode == 0 and result.stdout.startswith("clinic-desktop ")
