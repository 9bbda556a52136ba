"""The files the application reads at run time (fonts, sheet templates, icons), shipped inside the package.

This folder sits at the top of the repository and is installed as `clinic_desktop.resources`, so a wheel, an
editable install and a PyInstaller bundle all find it the same way: through `importlib.resources`, never by a
path relative to the source tree."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


def resource(*parts: str) -> Traversable:
    """A shipped file or folder, e.g. resource("fonts", "DejaVuSans.ttf")."""
    found = files(__name__)
    for part in parts:
        found = found.joinpath(part)
    return found


def resource_path(*parts: str) -> Path:
    """A shipped file as a path on disk, for libraries that open files by name (ReportLab's fonts, Qt's icons).

    Every way the application is installed (wheel, editable, one-folder bundle) keeps the files on disk; a
    zipped install, which would not, is refused here rather than failing later with an unreadable path."""
    found = resource(*parts)
    path = Path(str(found))
    if not path.exists():
        raise FileNotFoundError(f"The application's file {'/'.join(parts)} is missing from this installation.")
    return path
