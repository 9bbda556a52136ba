"""pyproject.toml lists its packages by hand (resources/ is mapped into the package from outside it): the list
must name every package there is, or the wheel and the bundle would silently lack one."""

from __future__ import annotations

import fnmatch
import tomllib

from tests.packaging.conftest import ROOT

CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def found_packages() -> set[str]:
    """What setuptools' find would see: every folder with an __init__.py under clinic_desktop/, plus the
    resources folder mapped to clinic_desktop.resources."""
    package = ROOT / "clinic_desktop"
    names = {".".join(init.parent.relative_to(ROOT).parts) for init in package.rglob("__init__.py")
             if "__pycache__" not in init.parts}
    return names | {"clinic_desktop.resources"}


def test_the_package_list_names_every_package_and_nothing_else():
    """`[tool.setuptools] packages` equals the packages in the tree (and the mapped resources folder)."""
    assert set(CONFIG["packages"]) == found_packages()
    assert len(CONFIG["packages"]) == len(set(CONFIG["packages"]))


def test_resources_maps_to_the_top_level_folder():
    """clinic_desktop.resources is built from resources/, which holds the resource_path helper."""
    assert CONFIG["package-dir"] == {"clinic_desktop.resources": "resources"}
    assert (ROOT / "resources" / "__init__.py").is_file()


def test_every_resource_and_migration_file_is_matched_by_package_data():
    """Every file in resources/ and in the migrations folder matches a package-data pattern, so none is left
    out of the wheel (Python files of packages go in anyway; the migration scripts are listed explicitly)."""
    data = CONFIG["package-data"]
    folders = {"clinic_desktop.resources": ROOT / "resources",
               "clinic_desktop.storage": ROOT / "clinic_desktop" / "storage"}
    missed = []
    for package, folder in folders.items():
        files = [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        if package == "clinic_desktop.storage":
            files = [p for p in files if "migrations" in p.relative_to(folder).parts]
        else:
            files = [p for p in files if p.name != "__init__.py"]
        for path in files:
            relative = path.relative_to(folder).as_posix()
            if not any(fnmatch.fnmatchcase(relative, pattern) and relative.count("/") == pattern.count("/")
                       for pattern in data[package]):
                missed.append(f"{package}: {relative}")
    assert missed == []
