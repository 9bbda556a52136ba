"""Build the one-folder bundle for this system and check it: `python installers/build_bundle.py`.

Run it with the Python of an environment that has the application and the `bundle` extra installed
(`pip install '.[bundle]'`). It runs PyInstaller on installers/pyinstaller/clinic-desktop.spec, writes
dist/clinic-desktop/ (and on macOS dist/Clinic Desktop.app), prints the build time and size, then runs the
bundle's own --self-test. Exit 0 when the bundle was built and passed its self-test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installers" / "pyinstaller" / "clinic-desktop.spec"


def executable(dist: Path) -> Path:
    """The bundle's program: inside the .app on macOS (the one a clinic starts), else in the folder."""
    if sys.platform == "darwin":
        return dist / "Clinic Desktop.app" / "Contents" / "MacOS" / "clinic-desktop"
    return dist / "clinic-desktop" / ("clinic-desktop.exe" if os.name == "nt" else "clinic-desktop")


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle goes (default: dist)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's working folder (default: build/pyinstaller)")
    parser.add_argument("--no-self-test", action="store_true", help="build only")
    args = parser.parse_args(argv)

    started = time.monotonic()
    built = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                            "--distpath", str(args.dist), "--workpath", str(args.work), str(SPEC)], cwd=ROOT)
    if built.returncode != 0:
        print(f"build_bundle: PyInstaller failed (exit {built.returncode})", file=sys.stderr)
        return built.returncode
    program = executable(args.dist)
    size = folder_size(args.dist / "clinic-desktop")
    print(f"Built {program} in {time.monotonic() - started:.0f} s; the folder holds {size / 2**20:.0f} MiB.")
    if args.no_self_test:
        return 0
    # From outside the source tree, so nothing of it can stand in for a file the bundle lacks.
    result = subprocess.run([str(program), "--self-test"], cwd=args.dist)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
