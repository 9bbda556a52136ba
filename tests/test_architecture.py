"""The layer rules of docs/architecture.md, checked by reading every module's imports (and what start-up loads)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "clinic_desktop"
PKG = "clinic_desktop"

#: What each layer must not import (module-name prefixes): the table in docs/architecture.md (a test holds the
#: two the same).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "storage": ("PySide6", f"{PKG}.services", f"{PKG}.printing", f"{PKG}.ui"),
    "services": ("PySide6", f"{PKG}.ui"),
    "printing": ("PySide6", "sqlalchemy", f"{PKG}.storage", f"{PKG}.services", f"{PKG}.ui"),
    "ui": ("sqlalchemy", "reportlab", "alembic", f"{PKG}.storage"),
}
#: Only the composition root and the command line may import these ("nothing imports them").
ENTRY_POINTS = (f"{PKG}.app", f"{PKG}.cli")
LAYERS = ("domain", "storage", "services", "printing", "ui")


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(source: str, module: str, is_package: bool = False) -> list[tuple[int, list[str]]]:
    """(line, candidates) per import: `import a.b` -> ["a.b"]; `from a import b, c` -> ["a", "a.b", "a.c"].

    Relative imports are resolved against `module`; imports inside functions count too.
    """
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, [alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                anchor = package[:len(package) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            out.append((node.lineno, [base] + [f"{base}.{alias.name}" for alias in node.names]))
    return out


def violations(layer: str, source: str, module: str = "", is_package: bool = False) -> list[str]:
    """Every import in `source` (by default a module directly in the layer) that breaks the layer's rules."""
    module = module or f"{PKG}.{layer}.mod"
    found = []
    for line, (base, *members) in imports(source, module, is_package):
        names = [base, *members]
        if any(_matches(n, e) for n in names for e in ENTRY_POINTS):
            found.append(f"{line}: {base} (only app.py / cli.py may import the entry points)")
        if layer == "domain":
            def allowed(name: str) -> bool:
                return name.split(".")[0] in sys.stdlib_module_names or _matches(name, f"{PKG}.domain")
            if not (allowed(base) or (members and all(allowed(m) for m in members))):
                found.append(f"{line}: {base}")
        elif any(_matches(n, p) for n in names for p in FORBIDDEN.get(layer, ())):
            found.append(f"{line}: {base}")
    return found


def layer_modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


# -- the checker itself --------------------------------------------------------------------------------


@pytest.mark.parametrize("layer, source", [
    ("domain", "import sqlalchemy"), ("domain", "from PySide6.QtWidgets import QLabel"),
    ("domain", "from clinic_desktop.storage import models"), ("domain", "from clinic_desktop import storage"),
    ("domain", "def f():\n    import reportlab"), ("domain", "from ..services import registry"),
    ("domain", "from clinic_desktop.settings import Locations"),
    ("storage", "from clinic_desktop.services.registry import Services"), ("storage", "import PySide6"),
    ("services", "from clinic_desktop.ui import main_window"), ("services", "from PySide6 import QtCore"),
    ("printing", "from sqlalchemy.orm import Session"), ("printing", "from ..storage import models"),
    ("ui", "from clinic_desktop.storage.database import open_database"), ("ui", "import alembic.command"),
    ("ui", "from reportlab.platypus import Paragraph"), ("ui", "from clinic_desktop import storage"),
    ("services", "from clinic_desktop.app import open_services"),
])
def test_checker_catches_forbidden_imports(layer, source):
    """The checker flags each kind of forbidden import, including relative, nested and `from pkg import mod`."""
    assert violations(layer, source)


@pytest.mark.parametrize("layer, source", [
    ("domain", "from __future__ import annotations\nimport decimal\nfrom zoneinfo import ZoneInfo"),
    ("domain", "from clinic_desktop.domain.errors import ValidationError"),
    ("domain", "from . import errors\nfrom .scales import base"),
    ("storage", "from sqlalchemy import select\nimport alembic\nfrom clinic_desktop.domain import enums"),
    ("services", "from clinic_desktop.storage import models\nfrom clinic_desktop.printing import letters"),
    ("printing", "from reportlab.platypus import Paragraph\nfrom clinic_desktop.domain.records import PatientChart"),
    ("ui", "from PySide6.QtWidgets import QLabel\nfrom clinic_desktop.services.registry import Services"),
])
def test_checker_allows_permitted_imports(layer, source):
    """Imports the table allows are not reported."""
    assert violations(layer, source) == []


def test_relative_imports_are_resolved():
    """`from ..storage import x` inside clinic_desktop/services/a.py means clinic_desktop.storage.x."""
    assert imports("from ..storage import models", f"{PKG}.services.a") == \
        [(1, [f"{PKG}.storage", f"{PKG}.storage.models"])]
    assert imports("from . import base", f"{PKG}.domain.scales", is_package=True) == \
        [(1, [f"{PKG}.domain.scales", f"{PKG}.domain.scales.base"])]


# -- the package ---------------------------------------------------------------------------------------


def test_domain_layer_has_modules_to_check():
    """The walk really finds the domain modules (an empty walk would pass every rule)."""
    names = {module_name(p) for p in layer_modules("domain")}
    assert {f"{PKG}.domain.text", f"{PKG}.domain.checks", f"{PKG}.domain.scales.base"} <= names


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_imports_follow_the_rules(layer):
    """No module in a layer imports what docs/architecture.md forbids for it."""
    problems = []
    for path in layer_modules(layer):
        name = module_name(path)
        for v in violations(layer, path.read_text(encoding="utf-8"), name, path.name == "__init__.py"):
            problems.append(f"{path.relative_to(ROOT)}:{v}")
    assert problems == []


#: Loaded only when needed: a migration, a print, a preview, a password check (each costs start-up time).
LAZY = ("alembic", "reportlab", "pypdfium2", "argon2")


@pytest.mark.parametrize("module", [f"{PKG}.ui.main_window", f"{PKG}.app"])
def test_starting_the_application_does_not_load_alembic_reportlab_pdfium_or_argon2(module):
    """Opening the window imports neither Alembic, ReportLab, PDFium nor Argon2: they load only for a migration,
    a print, a preview or the first password check."""
    if not (ROOT / (module.replace(".", "/") + ".py")).exists():
        pytest.skip(f"{module} does not exist yet")
    code = f"import sys, {module}; print(*[m for m in {LAZY!r} if m in sys.modules])"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [], f"loaded at start: {result.stdout}"


#: Loaded when first opened, never on the way to the board: the administration pages, the session screen, the
#: paperwork's dialogs and preview, the patient forms, the keyboard-shortcuts dialog and the backup engine.
FIRST_USE = (f"{PKG}.ui.audit_viewer", f"{PKG}.ui.backup_page", f"{PKG}.ui.chairs_page", f"{PKG}.ui.clinic_page",
             f"{PKG}.ui.settings_page", f"{PKG}.ui.sheet_texts_page", f"{PKG}.ui.users_page",
             f"{PKG}.ui.session_screen.session_screen", f"{PKG}.ui.paperwork.preview_dialog",
             f"{PKG}.ui.paperwork.consent_dialog", f"{PKG}.ui.paperwork.letter_dialog", f"{PKG}.ui.patient_form",
             f"{PKG}.ui.screening_form", f"{PKG}.ui.series_dialog", f"{PKG}.ui.measure_fields",
             f"{PKG}.ui.shortcuts_dialog", f"{PKG}.storage.backup_restore", "psycopg", "PIL", "platformdirs")

#: The application's start path in a fresh process, as tests/perf/bench_startup.py times it: the window at its
#: sign-in page, then a nurse signed in and today's board shown.
START_PATH = """
import json, sys
from PySide6.QtCore import QSettings
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, {settings!r})
from clinic_desktop.app import open_for_gui, prepare_application
from clinic_desktop.ui.main_window import MainWindow
app = prepare_application([])
services, locations = open_for_gui({data_dir!r}, None)
window = MainWindow(services, locations)
window.show()
app.processEvents()
before_sign_in = [m for m in {lazy!r} if m in sys.modules]
window.sign_in(services.auth.login("nurse", {password!r}))
app.processEvents()
board = window.workspace.front_desk.board
print(json.dumps({{"before_sign_in": before_sign_in, "at_board": [m for m in {first_use!r} if m in sys.modules],
                  "board": board is not None and board.isVisible()}}))
"""


def test_the_board_is_shown_without_loading_what_only_later_screens_need(tmp_path):
    """The real start path (database opened, window shown, a nurse signed in, the board on show) loads none of
    LAZY before the sign-in and none of FIRST_USE by the time the board is shown."""
    import json

    from clinic_desktop.app import open_services
    from clinic_desktop.domain.enums import StaffRole

    password = "correct horse battery staple"
    services, _ = open_services(str(tmp_path / "clinic"), None)
    services.auth.create_first_admin("nurse", "Nurse, Test", password, role=StaffRole.NURSE)
    services.context.db.close()
    code = START_PATH.format(settings=str(tmp_path / "settings"), data_dir=str(tmp_path / "clinic"),
                             password=password, lazy=LAZY, first_use=FIRST_USE)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["board"], "the board was not on show"
    assert loaded["before_sign_in"] == [], f"loaded before the sign-in: {loaded['before_sign_in']}"
    assert loaded["at_board"] == [], f"loaded on the way to the board: {loaded['at_board']}"


def documented_rules() -> dict[str, tuple[str, ...]]:
    """The "must not import" column of docs/architecture.md's layer table, by layer."""
    rules = {}
    for line in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] in LAYERS:
            rules[cells[0]] = tuple(name.strip() for name in cells[1].split(","))
    return rules


def test_the_architecture_guide_states_the_rules_this_test_checks():
    """Someone with only the repository reads the layer rules in docs/architecture.md: they are the ones enforced."""
    documented = documented_rules()
    assert set(documented) == set(LAYERS)
    assert documented["domain"] == ("anything outside the standard library and `clinic_desktop.domain`",)
    for layer, forbidden in FORBIDDEN.items():
        assert set(documented[layer]) == set(forbidden), layer
