"""clinic_desktop.resources is the repository's resources/ folder, mapped into the package by pyproject.toml.

PyInstaller finds modules by walking folders, so it would look for clinic_desktop/resources/ and not find it.
This adds the folder that really holds `resources/` to the package's search path during the analysis (only the
analysis: in the bundle the package is stored under clinic_desktop/resources as usual)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PyInstaller.depend.imphookapi import PreSafeImportModuleAPI


def pre_safe_import_module(api: PreSafeImportModuleAPI) -> None:
    spec = importlib.util.find_spec("clinic_desktop.resources")
    if spec is not None and spec.origin:
        api.append_package_path(str(Path(spec.origin).resolve().parent.parent))
