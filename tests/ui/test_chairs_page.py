"""Administration > Chairs: the chairs in board order, adding, renaming, moving, retiring; the board and planning
follow."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from clinic_desktop.ui.chairs_model import ChairsTableModel
from clinic_desktop.ui.chair_dialogs import RenameChairDialog
from clinic_desktop.ui.series_actions import RescheduleDialog
from clinic_desktop.ui.series_dialog import PlanSeriesPage
from tests.conftest import ZONE
from tests.ui.front_desk_support import chair, induction, patient, signed_in
from tests.ui.ui_support import audit_actions, visible_texts, while_dialog_open


@pytest.fixture
def window(make_window, services, staff):
    """An administrator's window; the clinic has Chair 1, Chair 2 and Chair 3."""
    for name in ("Chair 1", "Chair 2", "Chair 3"):
        chair(services, staff, name)
    return signed_in(make_window, staff["admin"])


@pytest.fixture
def page(window):
    window.menus.chairs.trigger()
    page = window.workspace.chairs
    assert page is not None and window.workspace.tabs.currentWidget() is page
    return page


def rows(page) -> list[list[str]]:
    model = page.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def answer(monkeypatch, button: QMessageBox.StandardButton) -> list[str]:
    """Answer the page's next questions with `button`; the questions asked are collected."""
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, _title, text, *a, **k: asked.append(text) or button)
    return asked


def test_only_administrators_see_the_chairs_menu(make_window, staff):
    """Administration > Chairs... for an administrator; a nurse has no such entry."""
    nurse_window = signed_in(make_window, staff["nurse"])
    assert not nurse_window.menus.chairs.isVisible() and nurse_window.workspace.show_chairs() is None
    nurse_window.sign_out()
    nurse_window.sign_in(staff["admin"])
    assert nurse_window.menus.chairs.isVisible() and nurse_window.menus.chairs.text() == "C&hairs..."


def test_the_page_lists_the_chairs_in_board_order(qtbot, page, services, staff, qtmodeltester):
    """Position, name, status, bookings; a retired chair last, greyed and marked; the board line names the rest."""
    services.chairs.retire(staff["admin"], services.chairs.find(staff["admin"], "Chair 2").id)
    page.refresh()
    qtmodeltester.check(page.model)
    assert rows(page) == [["1", "Chair 1", "On the board", "none"], ["2", "Chair 3", "On the board", "none"],
                          ["—", "Chair 2", "Retired", "none"]]
    assert page.model.index(2, ChairsTableModel.NAME).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert page.model.index(0, ChairsTableModel.NAME).data(Qt.ItemDataRole.ForegroundRole) is None
    assert "The board shows 2 chairs, left to right: Chair 1 · Chair 3." in visible_texts(page)


def test_adding_a_chair_puts_it_at_the_end_and_a_bad_name_keeps_what_was_typed(qtbot, page, window):
    """A duplicate is refused beside the field with the text kept; a good name is added, selected and cleared."""
    qtbot.keyClicks(page.new_name, "  chair 2")
    qtbot.keyClick(page.new_name, Qt.Key.Key_Return)
    assert page.add_error.isVisible() and page.add_error.text() == "There is already a chair called Chair 2."
    assert page.new_name.text() == "  chair 2" and page.model.rowCount() == 3
    page.new_name.setText("Recliner by the window")
    page.add_button.click()
    assert not page.add_error.isVisible() and page.new_name.text() == ""
    assert rows(page)[-1] == ["4", "Recliner by the window", "On the board", "none"]
    assert page.selected().name == "Recliner by the window"
    assert "Added Recliner by the window at position 4" in window.statusBar().currentMessage()


def test_move_up_and_down_with_buttons_and_alt_arrows(qtbot, page, services, staff):
    """Move up / Move down swap neighbours; Alt+Up / Alt+Down do the same; the ends disable the buttons."""
    assert page.select("Chair 3")
    assert page.up_button.isEnabled() and not page.down_button.isEnabled()
    page.up_button.click()
    assert [r[1] for r in rows(page)] == ["Chair 1", "Chair 3", "Chair 2"] and page.selected().name == "Chair 3"
    qtbot.keyClick(page.table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert [r[1] for r in rows(page)] == ["Chair 3", "Chair 1", "Chair 2"]
    assert not page.up_button.isEnabled() and page.down_button.isEnabled()
    qtbot.keyClick(page.table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert [c.name for c in services.chairs.bookable(staff["nurse"])] == ["Chair 1", "Chair 3", "Chair 2"]
    assert audit_actions(services, staff["admin"]).count("move") == 3


def test_rename_shows_its_error_beside_the_field_and_keeps_the_dialog_open(qtbot, page, services, staff):
    """A duplicate stays in the dialog with its error; a new name is saved and shown."""
    page.select("Chair 1")

    def fill(dialog: RenameChairDialog) -> None:
        dialog.name.setText("CHAIR 3")
        assert dialog.submit() is None and dialog.isVisible()
        assert dialog.errors.shown() == {"name": "There is already a chair called Chair 3."}
        assert dialog.name.text() == "CHAIR 3"
        dialog.name.setText("Bay A")
        dialog.rename_button.click()
    while_dialog_open(RenameChairDialog, fill)
    page.rename_button.click()
    assert rows(page)[0][1] == "Bay A" and page.selected().name == "Bay A"


def test_a_rename_over_one_made_elsewhere_is_refused_in_the_dialog(qtbot, page, other, staff):
    """Renamed at another workstation after the page loaded: the dialog says so; the page then shows the new name."""
    page.select("Chair 1")
    other.chairs.rename(staff["admin"], page.selected().id, "Window chair")

    def fill(dialog: RenameChairDialog) -> None:
        dialog.name.setText("Bay A")
        dialog.submit()
        assert "changed on another workstation" in dialog.errors.shown()[""] and dialog.name.text() == "Bay A"
        dialog.reject()
    while_dialog_open(RenameChairDialog, fill)
    assert page.rename() is None
    assert rows(page)[0][1] == "Window chair"


def test_retire_asks_first_and_reinstate_brings_it_back(qtbot, page, monkeypatch, window):
    """Cancel leaves the chair; Yes retires it (greyed, last, Reinstate offered); reinstating puts it at the end."""
    page.select("Chair 1")
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    page.retire_button.click()
    assert asked and asked[0].startswith("Retire Chair 1?") and rows(page)[0][1] == "Chair 1"
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    page.retire_button.click()
    assert rows(page)[-1] == ["—", "Chair 1", "Retired", "none"]
    assert page.retire_button.text() == "Rein&state..." and not page.up_button.isEnabled()
    assert "The board shows 2 chairs, left to right: Chair 2 · Chair 3." in window.statusBar().currentMessage()
    page.retire_button.click()
    assert rows(page)[-1] == ["3", "Chair 1", "On the board", "none"]


def test_retiring_a_chair_with_booked_sessions_is_refused_on_the_page(qtbot, page, monkeypatch, services, staff):
    """Six sessions in Chair 2: the refusal shows beside the buttons with how many and when; nothing changes."""
    chair_2 = services.chairs.find(staff["admin"], "Chair 2").id
    induction(services, staff, patient(services, staff).id, chair_2)
    page.refresh()
    page.select("Chair 2")
    assert "6 sessions booked from today on" in page.hint.text()
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    page.retire_button.click()
    assert page.error.isVisible()
    assert page.error.text().startswith("Chair 2 still has 6 sessions booked from today on, the first on "
                                        "Mon 2026-03-02 09:00.")
    assert rows(page)[1] == ["2", "Chair 2", "On the board", "6"]


def test_the_board_follows_the_chairs_order_and_hides_retired_ones(qtbot, make_window, services, staff):
    """The front desk's board: columns by position; a move and a retirement elsewhere reach it with the next look."""
    ids = [chair(services, staff, n) for n in ("Chair 1", "Chair 2", "Chair 3")]
    window = signed_in(make_window, staff["front_desk"])
    board = window.workspace.front_desk.board
    assert [c.name for c in board.columns.values()] == ["Chair 1", "Chair 2", "Chair 3"]
    services.chairs.move(staff["admin"], ids[2], 1)
    services.chairs.retire(staff["admin"], ids[1])
    window.workspace.watcher.poll()
    assert [c.name for c in board.columns.values()] == ["Chair 3", "Chair 1"]


def test_planning_and_rescheduling_offer_only_active_chairs(qtbot, services, staff):
    """The series form lists the active chairs in board order; rescheduling out of a retired chair has no
    "Same chair"."""
    ids = [chair(services, staff, n) for n in ("Chair 1", "Chair 2", "Chair 3")]
    chart = patient(services, staff)
    series = induction(services, staff, chart.id, ids[1])
    services.chairs.move(staff["admin"], ids[2], 1)
    services.series.stop(staff["physician"], series.id, "Paused")
    services.chairs.retire(staff["admin"], ids[1])
    form = PlanSeriesPage(services, lambda: staff["front_desk"], services.patients.chart(staff["nurse"], chart.id))
    qtbot.addWidget(form)
    assert [form.chair.itemText(i) for i in range(form.chair.count())][1:] == ["Chair 3", "Chair 1"]
    session = services.series.get(staff["nurse"], series.id).sessions[0]
    dialog = RescheduleDialog(session, services.chairs.bookable(staff["nurse"]), ZONE, lambda *a: None)
    qtbot.addWidget(dialog)
    assert [dialog.chair.itemText(i) for i in range(dialog.chair.count())] == ["Chair 3", "Chair 1"]
