"""Start-up in fresh processes: the application's real start path to the board shown (the sign-in password check
timed apart), against the floor of the stack (a bare PySide6 window with `import sqlalchemy.orm`); resident memory
after start-up and after scrolling the patient list.

Each run is timed from just before the process is spawned (the interpreter's own start counts, for both) to the
moment the child has shown its window and handled the events that paint it."""

from __future__ import annotations

import compileall
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import clinic_desktop
from tests.perf.bench_data import BenchClinic

#: Shared by both children: Qt offscreen, and window settings in a temporary folder (never the user's).
_PRELUDE = """
import json, sys, time
from PySide6.QtCore import QSettings
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, {settings!r})

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
"""

BARE = """
import sqlalchemy.orm
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1280, 800)
window.show()
app.processEvents()
print(json.dumps({{"shown": time.time(), "rss": rss_mb()}}))
"""

APP = """
from clinic_desktop.app import open_for_gui, prepare_application
from clinic_desktop.ui.main_window import MainWindow
app = prepare_application([])
services, locations = open_for_gui({data_dir!r}, None)
window = MainWindow(services, locations)
window.show()
app.processEvents()
sign_in_page = time.time()
before_sign_in = sorted(m for m in ("alembic", "reportlab", "pypdfium2", "argon2") if m in sys.modules)
started = time.perf_counter()
principal = services.auth.login({username!r}, {password!r})
sign_in = time.perf_counter() - started
started = time.perf_counter()
window.sign_in(principal)
app.processEvents()
board = window.workspace.front_desk.board
shown = time.time() - sign_in
after = time.perf_counter() - started
out = {{"sign_in_page": sign_in_page, "shown": shown, "sign_in_ms": sign_in * 1000, "after_ms": after * 1000,
       "board_visible": board is not None and board.isVisible(), "rss": rss_mb(),
       "modules": before_sign_in}}
if {scroll}:
    workspace = window.workspace
    workspace.focus_search()
    panel = workspace.patients
    app.processEvents()
    table, model = panel.table, panel.model
    started = time.perf_counter()
    while model.rowCount() < {scroll} and model.canFetchMore():
        table.scrollToBottom()
        app.processEvents()
    out.update(scrolled=model.rowCount(), scroll_ms=(time.perf_counter() - started) * 1000, rss_scrolled=rss_mb())
print(json.dumps(out))
window.close()
"""


@dataclass
class StartupRuns:
    bare_ms: list[float]
    sign_in_page_ms: list[float]
    board_ms: list[float]
    sign_in_ms: list[float]
    #: From the principal to the board painted, within the process.
    board_after_sign_in_ms: list[float]
    bare_rss: list[float]
    rss: list[float]
    rss_scrolled: list[float]
    scroll_ms: list[float]
    scrolled: int
    board_visible: bool
    modules: list[str]


def _child(code: str, settings: str) -> tuple[float, dict]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    script = textwrap.dedent(_PRELUDE.format(settings=settings)) + textwrap.dedent(code)
    spawned = time.time()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"the start-up child failed: {done.stderr.strip().splitlines()[-1:]}")
    return spawned, json.loads(done.stdout.strip().splitlines()[-1])


def compile_package() -> None:
    """Bytecode beside the package's sources (in its __pycache__ folders, which git ignores)."""
    folder = Path(clinic_desktop.__file__).parent
    if not compileall.compile_dir(str(folder), quiet=1):
        raise RuntimeError(f"could not compile {folder}")


def measure(bench: BenchClinic, runs: int, scroll_rows: int, role: str = "nurse") -> StartupRuns:
    """`runs` of each child, alternated (one warm-up of each first, not counted); the last application run also
    scrolls `scroll_rows` rows of the patient list."""
    username, password = bench.accounts[role]
    # As an installed wheel or bundle starts: with its bytecode. A checkout run with PYTHONDONTWRITEBYTECODE
    # would otherwise compile every module from source at each start, which the bare window (whose libraries
    # come with bytecode) never pays.
    compile_package()
    result = StartupRuns([], [], [], [], [], [], [], [], [], 0, True, [])
    with tempfile.TemporaryDirectory(prefix="bench-qsettings-") as settings:
        for n in range(runs + 1):
            spawned, bare = _child(BARE.format(), settings)
            last = n == runs
            app_code = APP.format(data_dir=str(bench.data_dir), username=username, password=password,
                                  scroll=scroll_rows if last else 0)
            app_spawned, app = _child(app_code, settings)
            if n == 0:
                continue  # warm-up: the file cache, Qt's font cache
            result.bare_ms.append((bare["shown"] - spawned) * 1000)
            result.bare_rss.append(bare["rss"])
            result.sign_in_page_ms.append((app["sign_in_page"] - app_spawned) * 1000)
            result.board_ms.append((app["shown"] - app_spawned) * 1000)
            result.sign_in_ms.append(app["sign_in_ms"])
            result.board_after_sign_in_ms.append(app["after_ms"])
            result.rss.append(app["rss"])
            result.board_visible = result.board_visible and app["board_visible"]
            result.modules = app["modules"]
            if last and "scrolled" in app:
                result.rss_scrolled.append(app["rss_scrolled"])
                result.scroll_ms.append(app["scroll_ms"])
                result.scrolled = app["scrolled"]
    return result
