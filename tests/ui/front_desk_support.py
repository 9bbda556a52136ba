"""Helpers for the front-desk screen tests: a signed-in window, a registered patient, a planned series."""

from __future__ import annotations

from datetime import time

from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.records import PatientChart, SeriesSummary


def signed_in(make_window, user):
    """A shown main window with `user` signed in."""
    window = make_window()
    window.sign_in(user)
    return window


def patient(services, staff, family: str = "Lovelace", **fields) -> PatientChart:
    data = dict(given_names="Ada", family_name=family, date_of_birth="1980-05-01", sex="female",
                escort_name="Tom Lovelace", height="165")
    data.update(fields)
    return services.patients.register(staff["nurse"], PatientInput(**data))


def chair(services, staff, name: str = "Chair 1") -> int:
    return services.chairs.add(staff["admin"], name).id


def induction(services, staff, patient_id: int, chair_id: int | None, at: time = time(9, 0)) -> SeriesSummary:
    """Six IV infusions from today (Monday 2026-03-02), Mon/Wed/Fri at `at`."""
    return services.series.plan(staff["front_desk"], patient_id, Protocol.IV_INDUCTION, services.context.today(),
                                (0, 2, 4), 6, at, "0.5", chair_id)


def texts(widget: QWidget) -> list[str]:
    """What a person can read in `widget` now."""
    QApplication.processEvents()
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisible()]


def buttons(widget: QWidget) -> list[str]:
    """The texts of the buttons on show, without mnemonics."""
    QApplication.processEvents()
    return [b.text().replace("&", "") for b in widget.findChildren(QPushButton) if b.isVisible()]
