"""The patient list searches in the background at every keystroke: typing while a search runs searches the
newest text once it ends, a result for older text is never shown, and a refused search says why."""

from __future__ import annotations

import threading
from datetime import date

from clinic_desktop.domain.access import PermissionDenied
from clinic_desktop.domain.enums import Sex
from clinic_desktop.domain.records import PatientPage, PatientRow
from clinic_desktop.ui.patient_list import PatientListPanel


def _row(n: int, family: str) -> PatientRow:
    return PatientRow(n, f"1000{n:04d}", family, "Ada", "", date(1980, 5, 1), Sex.FEMALE, "")


class FakeDirectory:
    """Answers searches from a fixed list of fictional names; `hold` makes the next search wait for `release`."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.searched: list[str] = []
        self.hold = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def fetch(self, query: str, _after: object) -> PatientPage:
        self.searched.append(query)
        if self.hold.is_set():
            self.hold.clear()
            self.release.wait(10)
        rows = tuple(_row(n, name) for n, name in enumerate(self.names) if name.lower().startswith(query.lower()))
        return PatientPage(rows, None)

    def count(self, query: str) -> int:
        return sum(1 for name in self.names if name.lower().startswith(query.lower()))


def _panel(qtbot, directory: FakeDirectory) -> PatientListPanel:
    panel = PatientListPanel(directory.fetch, directory.count, lambda: date(2026, 3, 2))
    qtbot.addWidget(panel)
    return panel


def _shown(panel: PatientListPanel) -> list[str]:
    return [panel.model.patient_at(r).family_name for r in range(panel.model.rowCount())]


def test_typing_during_a_search_searches_the_newest_text_once_and_shows_only_it(qtbot, worker):
    directory = FakeDirectory(["Nguyen", "Nakamura", "Novak", "Okafor"])
    panel = _panel(qtbot, directory)
    qtbot.waitUntil(lambda: not panel._searching)
    directory.searched.clear()
    directory.hold.set()
    directory.release.clear()
    panel.search_box.setText("n")  # held in the worker
    qtbot.waitUntil(lambda: directory.searched == ["n"])
    for text in ("na", "nak", "naka"):
        panel.search_box.setText(text)
    assert panel.search_box.isEnabled(), "typing goes on while the search runs"
    directory.release.set()
    qtbot.waitUntil(lambda: _shown(panel) == ["Nakamura"] and not panel._searching)
    assert directory.searched == ["n", "naka"], "the letters typed meanwhile make one search, not three"
    assert panel.count_label.text() == "1 matching"


def test_enter_opens_the_first_patient_found(qtbot):
    directory = FakeDirectory(["Nguyen", "Okafor"])
    panel = _panel(qtbot, directory)
    chosen: list[int] = []
    panel.patientChosen.connect(chosen.append)
    panel.search_box.setText("oka")
    panel.search_box.returnPressed.emit()
    assert chosen == [1]


def test_a_refused_search_says_why_in_the_count_line(qtbot):
    def refused(*_args: object) -> PatientPage:
        raise PermissionDenied("Your sign-in has ended: sign in again.")

    panel = PatientListPanel(refused, lambda _q: 0, lambda: date(2026, 3, 2))
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel.count_label.text() == "Your sign-in has ended: sign in again."
