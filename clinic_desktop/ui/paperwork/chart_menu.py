"""The chart's paperwork: a "Paperwork" button whose menu prints a consent (per series, or per treatment before
any series is planned), records a signed consent, or writes a series' summary letter; and the chart's consent
lines, saying for each treatment whether its consent is on file and on the form in use."""

from __future__ import annotations

from typing import Callable
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QMenu, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.consent import ConsentStatus
from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.records import PatientChart, SeriesSummary
from clinic_desktop.ui import formatting
from clinic_desktop.ui.widgets import badge, text_label


def series_words(series: SeriesSummary) -> str:
    return (f"{series.protocol.label}, from {formatting.day(series.start_date)} "
            f"({series.sessions_done} of {series.planned_sessions} given)")


def paperwork_button(view: QWidget, chart: PatientChart) -> QPushButton | None:
    """The Paperwork button with what the user may do in its menu (None when they may do none of it); each
    entry emits view.paperworkRequested(kind, series id or 0, protocol value or "")."""
    may: Callable[[Action], bool] = view.may
    printing, recording = may(Action.PRINT), may(Action.CONSENT_RECORD)
    if not (printing or recording):
        return None
    button = QPushButton("Paperwork")
    button.setObjectName("paperwork")
    button.setAutoDefault(False)
    menu = QMenu(button)
    menu.setObjectName("paperworkMenu")

    def add(target: QMenu, text: str, kind: str, series_id: int = 0, protocol: str = "") -> None:
        action = target.addAction(text)
        action.setObjectName(f"{kind}:{series_id}:{protocol}")
        action.triggered.connect(lambda _checked=False: view.paperworkRequested.emit(kind, series_id, protocol))

    if printing:
        consent = menu.addMenu("Print &consent")
        consent.setObjectName("printConsent")
        newest_first = sorted(chart.series, key=lambda s: s.start_date, reverse=True)
        for series in newest_first:
            add(consent, f"{series_words(series)}…", "consent", series.id, series.protocol.value)
        if newest_first:
            consent.addSeparator()
        for protocol in Protocol:
            add(consent, f"{protocol.label}, without a series…", "consent", 0, protocol.value)
    if recording:
        add(menu, "&Record signed consent…", "record_consent")
    if printing:
        letters = menu.addMenu("&Summary letter")
        letters.setObjectName("summaryLetter")
        for series in sorted(chart.series, key=lambda s: s.start_date, reverse=True):
            add(letters, f"{series_words(series)}…", "summary", series.id)
        if not chart.series:
            none = letters.addAction("No series yet")
            none.setEnabled(False)
    button.setMenu(menu)
    return button


def consent_lines(statuses: list[ConsentStatus], zone: ZoneInfo) -> QWidget:
    """One line per treatment: "IV racemic ketamine, induction — signed 2026-03-02 on form 2026.1", and under it
    in red what is missing ("Re-consent needed: form 2026.2 is current")."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(3)
    for s in statuses:
        signed = s.signed
        if signed is not None:
            who = f" by {signed.signer_name} ({signed.signer_relation})" if signed.signer_relation else ""
            day = formatting.day(signed.signed_at.astimezone(zone).date())
            layout.addWidget(text_label(f"{s.protocol.label} — signed {day} on form {signed.template_version}{who}"))
            if s.needs_consent:
                layout.addWidget(badge(f"Re-consent needed: form {s.current_version} is current", Grade.OVERRIDE))
        else:
            layout.addWidget(badge(f"{s.protocol.label} — no signed consent on file", Grade.OVERRIDE))
    if not statuses:
        layout.addWidget(text_label("None on file"))
    return holder
