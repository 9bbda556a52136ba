"""The signed-in workspace: patient list with search as you type, paging, and the chart of the chosen patient."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.records import AllergyEntry
from clinic_desktop.domain.text import search_key
from clinic_desktop.services.demo import DemoBuilder
from clinic_desktop.services.passwords import Passwords
from clinic_desktop.settings import Locations
from clinic_desktop.ui.main_window import MainWindow
from clinic_desktop.ui.patient_list import PatientListModel
from tests.conftest import TEST_HASH_POLICY, prepared_template
from tests.ui.front_desk_support import chair, induction
from tests.ui.front_desk_support import patient as register


def _window(qtbot, services, tmp_path: Path, user: Principal) -> MainWindow:
    """The main window with `user` signed in (their workspace on show)."""
    window = MainWindow(services, Locations(tmp_path, str(services.context.db.engine.url)))
    qtbot.addWidget(window)
    window.show()
    window.sign_in(user)
    return window


def _labels(widget) -> list[str]:
    """Texts of the labels on show (new labels appear once queued show events run)."""
    QApplication.processEvents()
    return [label.text() for label in widget.findChildren(QLabel) if not label.isHidden()]


#: The demo clinic these tests browse: its size (more than one page of the list) and seed.
DEMO_PATIENTS, DEMO_SEED = 130, 11


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory, empty_database_template) -> Path:
    """A data folder holding the demo clinic, built once for the module (building it takes seconds; the tests
    that browse it each get a copy, with its audit key and head file)."""
    return prepared_template(tmp_path_factory.mktemp("demo-clinic"), empty_database_template,
                             lambda services: DemoBuilder(services.context, seed=DEMO_SEED).build(DEMO_PATIENTS),
                             Passwords(TEST_HASH_POLICY))


@pytest.fixture
def database_template(request, database_template) -> Path:
    """Tests that ask for demo_services start from a copy of the demo clinic; the others as everywhere else."""
    if "demo_services" in request.fixturenames:
        return request.getfixturevalue("demo_template")
    return database_template


@pytest.fixture
def demo_services(services):
    """The services over the test's copy of the demo clinic (see database_template)."""
    return services


@pytest.fixture
def nurse(staff) -> Principal:
    return staff["nurse"]


@pytest.fixture
def demo_nurse(demo_services, staff) -> Principal:
    """A nurse of the test staff, added after the demo (which refuses a database that has accounts)."""
    return staff["nurse"]


def test_empty_database_says_so_and_how_to_get_demo_data(qtbot, services, nurse, tmp_path):
    """A new clinic sees an empty list, a count of zero, and how to explore with demo data."""
    ws = _window(qtbot, services, tmp_path, nurse).workspace
    assert ws.patients.model.rowCount() == 0
    assert ws.patients.count_label.text() == "No patients yet"
    assert any("clinic-desktop --data-dir" in text for text in _labels(ws.chart))


def test_list_pages_in_as_the_user_scrolls(qtbot, demo_services, demo_nurse, tmp_path):
    """130 patients arrive as a first page of 100 and the rest when the view asks for more."""
    ws = _window(qtbot, demo_services, tmp_path, demo_nurse).workspace
    model = ws.patients.model
    assert model.rowCount() == 100
    assert model.canFetchMore()
    ws.patients.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 130)
    assert not model.canFetchMore()
    rows = [model.patient_at(i) for i in range(model.rowCount())]
    assert len({row.id for row in rows}) == 130
    keys = [(search_key(r.family_name), search_key(r.given_names), r.id) for r in rows]
    assert keys == sorted(keys), "the list is in name order across pages"
    assert ws.patients.count_label.text() == "130 patients"


def test_search_as_you_type_filters_the_list(qtbot, services, staff, tmp_path):
    """Typing part of a name (without its accents) narrows the list after a short pause."""
    for given, family in (("Zoë", "Nguyễn"), ("Liam", "O'Brien"), ("Mei", "王")):
        services.patients.register(staff["nurse"], PatientInput(given, family, "1980-01-02", "female"))
    panel = _window(qtbot, services, tmp_path, staff["front_desk"]).workspace.patients
    assert panel.model.rowCount() == 3
    qtbot.keyClicks(panel.search_box, "nguy")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert panel.model.patient_at(0).family_name == "Nguyễn"
    assert panel.count_label.text() == "1 matching"
    panel.search_box.clear()
    qtbot.keyClicks(panel.search_box, "nobody-by-this-name")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    assert panel.count_label.text() == "No patient matches this search"


def test_enter_opens_the_first_match_in_the_chart(qtbot, demo_services, demo_nurse, tmp_path):
    """Enter in the search box opens the first patient found, with demographics, series and scores."""
    window = _window(qtbot, demo_services, tmp_path, demo_nurse)
    ws = window.workspace
    first = ws.patients.model.patient_at(0)
    qtbot.keyClick(ws.patients.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.chart.chart is not None)
    chart = ws.chart.chart
    assert chart.id == first.id
    texts = _labels(ws.chart)
    assert chart.display_name in texts
    assert any(text.startswith(f"MRN {chart.mrn}") for text in texts)
    assert "Opened" in window.statusBar().currentMessage()


def test_user_text_is_shown_literally_never_as_markup(qtbot, services, staff, tmp_path):
    """A name typed as HTML shows its characters; the chart never interprets user text as rich text."""
    patient = services.patients.register(staff["nurse"], PatientInput(
        "<b>Bold</b> & &amp; &#60;u&#62; <img src=x>", "<i>Italic</i>", "1975-06-07", "male",
        allergies=(AllergyEntry('<font color="red">latex</font>'),)))
    ws = _window(qtbot, services, tmp_path, staff["nurse"]).workspace
    ws.open_patient(patient.id)
    QApplication.processEvents()
    labels = [label for label in ws.chart.findChildren(QLabel) if not label.isHidden()]
    assert "<i>Italic</i>, <b>Bold</b> & &amp; &#60;u&#62; <img src=x>" in [label.text() for label in labels]
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    assert any('<font color="red">latex</font>' in label.text() for label in labels)


def test_ctrl_f_puts_the_cursor_in_the_search_box(qtbot, demo_services, demo_nurse, tmp_path):
    """Ctrl+F from anywhere in the window goes to the patient search."""
    window = _window(qtbot, demo_services, tmp_path, demo_nurse)
    window.workspace.patients.table.setFocus()
    window.menus.find.trigger()
    qtbot.waitUntil(lambda: window.workspace.patients.search_box.hasFocus())


def test_window_remembers_its_size_and_split(qtbot, services, nurse, tmp_path):
    """Closing saves the geometry and the splitter; the next window opens the same way."""
    window = _window(qtbot, services, tmp_path, nurse)
    window.resize(711, 533)  # within the offscreen screen (800 x 600), which clamps restored windows
    window.workspace.focus_search()  # a nurse starts at today's board: the split is on the Patients tab
    window.workspace.splitter.setSizes([300, 800])
    sizes = window.workspace.splitter.sizes()
    window.close()
    again = _window(qtbot, services, tmp_path, nurse)
    again.workspace.focus_search()
    assert (again.size().width(), again.size().height()) == (711, 533)
    assert again.workspace.splitter.sizes() == sizes


def test_patient_list_model_passes_the_model_tester(qtmodeltester, demo_services, demo_nurse):
    """The list model keeps Qt's model contract while rows page in."""
    model = PatientListModel(lambda q, after: demo_services.patients.search(demo_nurse, q, after, limit=40),
                             demo_services.context.today)
    model.search("")
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 130
    qtmodeltester.check(model)


def test_unknown_patient_shows_a_message_not_a_traceback(qtbot, services, nurse, tmp_path):
    """A patient removed elsewhere: the chart says so plainly."""
    ws = _window(qtbot, services, tmp_path, nurse).workspace
    ws.open_patient(999_999)
    assert any("no patient with number 999999" in text for text in _labels(ws.chart))


def test_a_name_in_a_tooltip_is_shown_literally(qtbot, services, staff):
    """Tool tips guess at rich text, so the list escapes the name it puts there."""
    services.patients.register(staff["nurse"], PatientInput("<b>Bold</b>", "<i>Italic</i>", "1975-06-07", "male"))
    model = PatientListModel(lambda q, after: services.patients.search(staff["nurse"], q, after),
                             services.context.today)
    model.search("")
    tip = model.index(0, PatientListModel.NAME).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;i&gt;Italic&lt;/i&gt;, &lt;b&gt;Bold&lt;/b&gt;" in tip and "<b>" not in tip


def test_the_chart_shows_at_every_window_width(qtbot, services, staff, tmp_path, monkeypatch):
    """Across the width where the chart changes from two columns to one, each width lays the chart out once
    and it stays on show. (A short chart fits without a scroll bar in two columns but needs one in one column:
    the scroll bar coming and going used to flip the layout without end, leaving the chart blank.)"""
    patient = register(services, staff)
    induction(services, staff, patient.id, chair(services, staff))
    window = _window(qtbot, services, tmp_path, staff["nurse"])
    ws = window.workspace
    ws.open_patient(patient.id)
    layouts = []
    shown = type(ws.chart).show_chart
    monkeypatch.setattr(type(ws.chart), "show_chart", lambda view, chart: layouts.append(1) or shown(view, chart))
    threshold = ws.chart.fontMetrics().averageCharWidth() * 100
    QApplication.processEvents()
    others = window.width() - ws.chart.width()  # the patient list, the splitter's handle, margins
    seen = set()
    for height in (600, 700, 800):
        for width in range(threshold - 30, threshold + 30, 2):
            layouts.clear()
            window.resize(width + others, height)
            QApplication.processEvents()
            seen.add(ws.chart._is_narrow())
            assert len(layouts) <= 1, f"laid out {len(layouts)} times at {ws.chart.width()} × {height} px"
            assert ws.chart.chart.display_name in _labels(ws.chart), f"blank at {ws.chart.width()} × {height} px"
    assert seen == {True, False}, "the widths tried cross from one column to two"
