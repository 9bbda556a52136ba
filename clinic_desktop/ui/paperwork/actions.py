"""What the chart's and the session screen's paperwork buttons do: ask the paperwork service for a sheet, show
its preview, and record each print or save; record a signed consent. Refusals are shown in words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from clinic_desktop.domain.access import Action, Principal, is_allowed
from clinic_desktop.domain.consent import consent_protocols
from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.paperwork import PrintedSheet
from clinic_desktop.domain.records import ConsentEntry, PatientChart
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import ops

if TYPE_CHECKING:
    from clinic_desktop.ui.patient_chart import PatientChartView


def likely_protocol(chart: PatientChart) -> Protocol:
    """The treatment a new consent is most likely for: the newest open series', else the screening's."""
    protocols = consent_protocols(chart)
    if protocols:
        return protocols[0]
    if chart.screening is not None and chart.screening.protocol is not None:
        return chart.screening.protocol
    return Protocol.IV_INDUCTION


class PaperworkActions(QObject):
    """PaperworkActions(services, principal_getter, parent): `message` carries status-bar lines, and
    `consentRecorded(patient id)` asks the owner to show the chart again."""

    message = Signal(str)
    consentRecorded = Signal(int)

    def __init__(self, services: Services, principal: Callable[[], Principal], parent: QWidget) -> None:
        super().__init__(parent)
        self._services = services
        self._principal = principal
        self._parent = parent

    def may(self, action: Action) -> bool:
        return is_allowed(self._principal(), action, self._services.context.now())

    # --- sheets ----------------------------------------------------------------------------------------
    def consent(self, patient_id: int, series_id: int | None = None, protocol: Protocol | None = None) -> list[str]:
        return self._print(lambda actor: self._services.paperwork.consent(actor, patient_id, series_id, protocol))

    def discharge(self, session_id: int) -> list[str]:
        return self._print(lambda actor: self._services.paperwork.discharge(actor, session_id))

    def infusion_record(self, session_id: int) -> list[str]:
        return self._print(lambda actor: self._services.paperwork.infusion_record(actor, session_id))

    def summary_letter(self, series_id: int) -> list[str]:
        """The recommendations first (the service's default text, to edit), then the letter's preview."""
        paperwork, actor = self._services.paperwork, self._principal()
        try:
            default = paperwork.default_recommendations(actor, series_id)
        except ClinicError as exc:
            self.show_error("Summary letter", exc.message)
            return []
        from clinic_desktop.ui.paperwork.letter_dialog import RecommendationsDialog  # dialogs load when opened

        sheet = RecommendationsDialog.ask(default, lambda text: paperwork.summary_letter(actor, series_id, text),
                                          self._parent)
        return self.preview(sheet) if sheet is not None else []

    def _print(self, make: Callable[[Principal], PrintedSheet]) -> list[str]:
        """Open the preview at once and render the sheet in the background; where it was printed or saved."""
        actor = self._principal()
        return self._preview(lambda: make(actor))

    def preview(self, sheet: PrintedSheet) -> list[str]:
        """The sheet's preview until closed; each print or save is recorded as it happens."""
        return self._preview(lambda: sheet)

    def _preview(self, make: Callable[[], PrintedSheet]) -> list[str]:
        from clinic_desktop.ui.paperwork.pdf_pages import UnreadablePdf  # the preview loads when first opened
        from clinic_desktop.ui.paperwork.preview_dialog import PreviewDialog

        failed: list[BaseException] = []
        dialog = PreviewDialog(None, lambda where: self._recorded(dialog.sheet, where), self._parent)

        def refused(error: BaseException) -> None:
            failed.append(error)
            dialog.reject()
            if isinstance(error, UnreadablePdf):  # a PDF that cannot be opened (a fault, but said in words)
                self.show_error("Cannot show the sheet", error.message)
            elif isinstance(error, ClinicError):
                self.show_error("Cannot print", error.message)
            else:
                ops.report_failure(self._parent, error)

        dialog.prepare(make, refused)
        if not failed:  # refused at once when operations run inline
            dialog.exec()
        dialog.deleteLater()
        return dialog.printed

    def _recorded(self, sheet: PrintedSheet, where: str) -> None:
        self._services.paperwork.record_print(self._principal(), sheet, where)
        self.message.emit(f"{sheet.title} — {where}.")

    # --- the chart ---------------------------------------------------------------------------------------
    def attach_chart(self, view: PatientChartView) -> None:
        """The chart's Paperwork menu acts through here (its consent statuses come with the chart's read)."""
        view.paperworkRequested.connect(lambda kind, target, protocol: self.chart_request(view, kind, target,
                                                                                          protocol))

    def chart_request(self, view: PatientChartView, kind: str, target: int, protocol: str) -> None:
        chart = view.chart
        if chart is None:
            return
        treatment = Protocol(protocol) if protocol else None
        if kind == "consent":
            self.consent(chart.id, target or None, treatment)
        elif kind == "record_consent":
            self.record_consent(chart, treatment)
        elif kind == "summary":
            self.summary_letter(target)

    # --- consent -----------------------------------------------------------------------------------------
    def record_consent(self, chart: PatientChart, protocol: Protocol | None = None) -> ConsentEntry | None:
        services, actor = self._services, self._principal()
        try:
            staff = services.staff.list(actor)
        except ClinicError:
            staff = []  # the witness list is a convenience; the consent can be recorded without one
        from clinic_desktop.ui.paperwork.consent_dialog import RecordConsentDialog  # loads when first opened

        entry = RecordConsentDialog.ask(
            chart, protocol or likely_protocol(chart),
            lambda p: services.paperwork.consent_status(actor, chart.id, p),
            staff, services.context.zone, services.context.now(),
            lambda *args, **kwargs: services.patients.record_consent(actor, chart.id, *args, **kwargs),
            self._parent)
        if entry is not None:
            self.consentRecorded.emit(chart.id)
            self.message.emit(f"Consent recorded for {chart.display_name}: {entry.protocol.label}, form "
                              f"{entry.template_version}.")
        return entry

    # --- errors ------------------------------------------------------------------------------------------
    def show_error(self, title: str, text: str) -> None:
        """A refusal in words, in a message box (the user asked for a window) and on the status bar."""
        self.message.emit(text)
        QMessageBox.warning(self._parent, title, text)
