"""Paperwork on screen: the preview (pages, zoom, save, print), recording a signed consent, and the chart's and
session screen's paperwork actions, each print written to the audit log."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.errors import ClinicError, NotFound
from clinic_desktop.domain.paperwork import PrintedSheet, SheetKind
from clinic_desktop.ui.paperwork.consent_dialog import RecordConsentDialog
from clinic_desktop.ui.paperwork.letter_dialog import RecommendationsDialog
from clinic_desktop.ui.paperwork.preview_dialog import PreviewDialog
from tests.conftest import ZONE
from tests.ui.front_desk_support import chair, induction, patient, signed_in
from tests.ui.session_support import Acting, checked_in, given, screen_for
from tests.ui.ui_support import audit_actions, visible_texts


def two_pages() -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=LETTER)
    for words in ("First page of the sheet", "Second page of the sheet"):
        c.drawString(72, 700, words)
        c.showPage()
    c.save()
    return buffer.getvalue()


def a_sheet(pdf: bytes | None = None) -> PrintedSheet:
    return PrintedSheet(SheetKind.CONSENT, "Consent form, IV racemic ketamine, induction: Ada Lovelace", "2026.1",
                        1, "patient", 1, pdf or two_pages(), "consent-000001-2026-03-02.pdf", "000001")


def pdf_printer(path: Path) -> QPrinter:
    """A printer that writes a PDF file (a real print job, with no printer attached)."""
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setFullPage(True)
    return printer


@pytest.fixture
def preview(qtbot):
    """make(sheet=None, **choosers) -> (shown PreviewDialog, list of what on_printed was told)."""
    def make(sheet: PrintedSheet | None = None, **choosers):
        told: list[str] = []
        dialog = PreviewDialog(sheet or a_sheet(), told.append, **choosers)
        qtbot.addWidget(dialog)
        dialog.resize(800, 900)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog, told
    return make


# --- the preview ------------------------------------------------------------------------------------------


def test_the_preview_shows_every_page_with_its_title_version_and_place(preview):
    """Two pages, rendered to fit the width; "Page 1 of 2" until scrolled to the end; zoom steps resize the
    pages from the fitted width and "Fit width" brings it back."""
    dialog, _told = preview()
    stack = dialog.stack
    assert len(stack.pages) == 2 and stack.pages[0].image is not None
    assert "Consent form · template version 2026.1 · 2 pages" in visible_texts(dialog)
    assert dialog.page_label.text() == "Page 1 of 2"
    fitted = stack.pages[0].width()
    assert abs(fitted - (stack.viewport().width() - 32)) <= 1
    bar = stack.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert dialog.page_label.text() == "Page 2 of 2"
    assert stack.pages[1].image is not None
    dialog.zoom_in.click()
    assert stack.pages[0].width() > fitted and stack.zoom in (1.0, 1.25, 1.5)
    assert dialog.zoom_label.text() == f"{round(stack.zoom * 100)} %"
    assert dialog.page_label.text() == "Page 2 of 2"  # the same page stays in view
    dialog.zoom_out.click()
    dialog.zoom_out.click()
    assert stack.pages[0].width() < fitted
    dialog.fit_button.click()
    assert stack.pages[0].width() == fitted and stack.zoom is None


def test_saving_writes_the_exact_pdf_and_reports_where(preview, tmp_path):
    """Save as PDF offers the sheet's file name, writes its bytes unchanged and tells the caller "PDF file: …";
    a name typed without .pdf gets it; a cancelled file dialog does nothing."""
    offered = []
    answers = [str(tmp_path / "consent.pdf"), str(tmp_path / "copy"), ""]
    dialog, told = preview(choose_file=lambda name: offered.append(name) or answers.pop(0))
    dialog.save_button.click()
    assert (tmp_path / "consent.pdf").read_bytes() == dialog.sheet.pdf
    assert offered == ["consent-000001-2026-03-02.pdf"] and told == ["PDF file: consent.pdf"]
    assert f"Saved as consent.pdf in {tmp_path}." in visible_texts(dialog)
    assert dialog.save_pdf() == "PDF file: copy.pdf" and (tmp_path / "copy.pdf").read_bytes() == dialog.sheet.pdf
    assert dialog.save_pdf() is None and told == ["PDF file: consent.pdf", "PDF file: copy.pdf"]


def test_a_failed_save_says_why_and_keeps_the_preview_open(preview, tmp_path):
    """Saving onto a folder fails: the reason shows in the dialog, which stays open, and nothing is reported."""
    (tmp_path / "taken.pdf").mkdir()
    dialog, told = preview(choose_file=lambda _name: str(tmp_path / "taken.pdf"))
    dialog.save_button.click()
    assert dialog.isVisible() and told == []
    assert dialog.error.isVisible()
    assert dialog.error.text() == f"{tmp_path / 'taken.pdf'} is a folder: give the name of a file to write."


def test_replacing_a_file_only_when_the_save_dialog_asked_about_that_name(preview, tmp_path):
    """Choosing an existing "old.pdf" in the dialog (which asked "replace?") replaces it, leaving no temporary
    file; typing "old" gets ".pdf" added, a name the dialog never asked about, so the file is left."""
    (tmp_path / "old.pdf").write_bytes(b"the earlier copy")
    answers = [str(tmp_path / "old"), str(tmp_path / "old.pdf")]
    dialog, told = preview(choose_file=lambda _name: answers.pop(0))
    assert dialog.save_pdf() is None and told == []
    assert dialog.error.text() == f"{tmp_path / 'old.pdf'} already exists: choose another name."
    assert (tmp_path / "old.pdf").read_bytes() == b"the earlier copy"
    assert dialog.save_pdf() == "PDF file: old.pdf" and (tmp_path / "old.pdf").read_bytes() == dialog.sheet.pdf
    assert sorted(p.name for p in tmp_path.glob("*.pdf*")) == ["old.pdf"]
    assert not list(tmp_path.glob(".clinic-desktop-*")), "no temporary file is left"


def test_saving_never_writes_over_the_clinics_own_files(preview, services, tmp_path):
    """Save as PDF onto the live database, its write-ahead log or the audit key (the data folder is tmp_path):
    refused in the dialog, which stays open, with the file unchanged and nothing reported."""
    database = tmp_path / "clinic.db"
    for target, what in ((database, "the clinic's live database"),
                         (tmp_path / "clinic.db-wal", "the live database's write-ahead log"),
                         (tmp_path / "audit.key", "the audit log's key")):
        before = target.read_bytes() if target.exists() else None
        dialog, told = preview(choose_file=lambda _name, t=target: str(t))
        dialog.save_button.click()
        assert dialog.isVisible() and told == []
        assert dialog.error.text().startswith(f"{target} is {what}: it is never overwritten."), dialog.error.text()
        assert (target.read_bytes() if target.exists() else None) == before


def test_printing_sends_one_printer_page_per_pdf_page_and_honours_the_range(preview, tmp_path):
    """Printed to a PDF-writing printer: two pages; pages 2 to 2 prints one; a cancelled print dialog prints
    nothing. Each print is reported with where it went."""
    printers = [pdf_printer(tmp_path / "all.pdf"), pdf_printer(tmp_path / "second.pdf"), None]
    printers[1].setPrintRange(QPrinter.PrintRange.PageRange)
    printers[1].setFromTo(2, 2)
    job_names: list[str] = []
    dialog, told = preview(choose_printer=lambda pdf, title: job_names.append(title) or printers.pop(0))
    dialog.print_button.click()
    assert job_names == ["Consent form MRN 000001"]  # the print queue never shows the patient's name
    assert len(PdfReader(tmp_path / "all.pdf").pages) == 2
    assert dialog.print_sheet() == "PDF file: second.pdf"
    assert len(PdfReader(tmp_path / "second.pdf").pages) == 1
    assert "Sent 1 page to the PDF file second.pdf." in visible_texts(dialog)
    assert dialog.print_sheet() is None
    assert told == ["PDF file: all.pdf", "PDF file: second.pdf"]


def test_a_print_that_cannot_be_recorded_says_so(preview, tmp_path):
    """When the print record is refused (e.g. the sign-in ran out), the preview says the print was not recorded."""
    def refuse(_where: str) -> None:
        raise ClinicError("You have been signed in for 12 hours: sign in again.")

    dialog = PreviewDialog(a_sheet(), refuse, choose_file=lambda _name: str(tmp_path / "x.pdf"))
    assert dialog.save_pdf() == "PDF file: x.pdf"
    assert dialog.error.text().endswith("The print was not recorded: You have been signed in for 12 hours: "
                                        "sign in again.")
    dialog.deleteLater()


def test_the_system_dialogs_are_set_up_for_the_sheet(qtbot, monkeypatch, tmp_path):
    """The print dialog starts on the sheet's own paper (Letter), full page, pages 1 to n; the save dialog offers
    the sheet's file name, then the folder last saved to."""
    from PySide6.QtGui import QPageSize
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialog, QFileDialog

    from clinic_desktop.ui.paperwork import print_job

    seen = []

    def accept(dialog):
        seen.append((dialog.minPage(), dialog.maxPage(), dialog.printer().pageLayout().pageSize().id(),
                     dialog.printer().fullPage()))
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(QPrintDialog, "exec", accept)
    assert print_job.ask_printer(None, two_pages(), "Consent form") is not None
    assert seen == [(1, 2, QPageSize.PageSizeId.Letter, True)]
    monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    assert print_job.ask_printer(None, two_pages(), "Consent form") is None

    offered = []
    answers = [str(tmp_path / "first.pdf"), ""]
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, caption, path, filters: offered.append(path) or (answers.pop(0), filters))
    dialog = PreviewDialog(a_sheet(), lambda _where: None)
    qtbot.addWidget(dialog)
    assert dialog.save_pdf() == "PDF file: first.pdf"
    assert dialog.save_pdf() is None
    assert Path(offered[0]).name == "consent-000001-2026-03-02.pdf"
    assert offered[1] == str(tmp_path / "consent-000001-2026-03-02.pdf")


# --- from the chart ----------------------------------------------------------------------------------------


def _button(ws) -> QPushButton:
    QApplication.processEvents()
    return next(b for b in ws.chart.findChildren(QPushButton, "paperwork") if b.isVisible())


def _entries(ws) -> dict[str, QAction]:
    """The Paperwork menu's entries by object name ("kind:series id:protocol")."""
    return {a.objectName(): a for a in _button(ws).menu().findChildren(QAction) if ":" in a.objectName()}


def _consent_texts(ws) -> list[str]:
    return [t for t in visible_texts(ws.chart) if "consent" in t.lower() or "signed" in t]


@pytest.fixture
def previews(monkeypatch):
    """Previews open without blocking: each one is kept (and `then(dialog)` run, if queued)."""
    shown, then = [], []

    def exec_(dialog):
        shown.append(dialog)
        if then:
            then.pop(0)(dialog)
        return 0
    monkeypatch.setattr(PreviewDialog, "exec", exec_)
    return shown, then


def test_front_desk_prints_a_series_consent_from_the_chart_and_the_save_is_audited(
        qtbot, services, staff, make_window, previews, tmp_path_factory, monkeypatch):
    """Front desk sees Print consent, Record signed consent and Summary letter; the series' consent opens in
    the preview, and saving it writes a "print" audit entry with the destination and template version."""
    p = patient(services, staff)
    series = induction(services, staff, p.id, chair(services, staff))
    ws = signed_in(make_window, staff["front_desk"]).workspace
    ws.open_patient(p.id)
    entries = _entries(ws)
    assert {f"consent:{series.id}:iv_induction", "consent:0:intranasal_esketamine", "record_consent:0:",
            f"summary:{series.id}:"} <= set(entries)
    shown, then = previews
    then.append(lambda d: d.save_pdf())
    target = tmp_path_factory.mktemp("saved") / "signed-copy.pdf"  # outside the data folder
    monkeypatch.setattr(PreviewDialog, "_ask_file", lambda self, name: str(target))  # the file dialog answers
    entries[f"consent:{series.id}:iv_induction"].trigger()
    sheet = shown[0].sheet
    assert sheet.kind is SheetKind.CONSENT and (sheet.object_type, sheet.object_id) == ("series", series.id)
    assert "6 infusions" in " ".join(PdfReader(io.BytesIO(sheet.pdf)).pages[0].extract_text().split())
    assert target.read_bytes() == sheet.pdf
    assert audit_actions(services, staff["admin"])[-1] == "print"
    entry = services.audit.entries(staff["admin"], limit=1).rows[0]
    assert entry.details["destination"] == "PDF file: signed-copy.pdf"
    assert entry.details["template_version"] == "2026.1" and p.mrn in entry.patient


def test_only_what_the_role_may_do_is_offered(qtbot, services, staff, make_window):
    """Without the right to print, the menu keeps only Record signed consent; with neither right, no button."""
    p = patient(services, staff)
    ws = signed_in(make_window, staff["nurse"]).workspace
    ws.chart.may = lambda action: action is not Action.PRINT
    ws.open_patient(p.id)
    assert set(_entries(ws)) == {"record_consent:0:"}
    ws.chart.may = lambda action: action not in (Action.PRINT, Action.CONSENT_RECORD)
    ws.open_patient(p.id)
    QApplication.processEvents()
    assert not [b for b in ws.chart.findChildren(QPushButton, "paperwork") if b.isVisible()]


def test_a_refused_sheet_is_explained_not_raised(qtbot, services, staff, make_window, monkeypatch):
    """A service refusal shows as a message box and on the status bar, never as a traceback."""
    p = patient(services, staff)
    window = signed_in(make_window, staff["front_desk"])
    ws = window.workspace
    ws.open_patient(p.id)
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append((title, text)))

    def gone(*_args, **_kwargs):
        raise NotFound("Patient 1 was not found.")
    monkeypatch.setattr(services.paperwork, "consent", gone)
    _entries(ws)["consent:0:intranasal_esketamine"].trigger()
    assert warned == [("Cannot print", "Patient 1 was not found.")]
    assert window.statusBar().currentMessage() == "Patient 1 was not found."


def test_a_damaged_pdf_is_explained_not_raised(qtbot, services, staff, monkeypatch):
    """A sheet whose PDF cannot be opened says so in a message box instead of failing with a traceback."""
    from clinic_desktop.ui.paperwork.actions import PaperworkActions

    holder = QPushButton()
    qtbot.addWidget(holder)
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(title))
    actions = PaperworkActions(services, lambda: staff["nurse"], holder)
    assert actions.preview(a_sheet(b"%PDF-1.4 broken")) == []
    assert warned == ["Cannot show the sheet"]


def test_recording_a_signed_consent_updates_the_chart(qtbot, services, staff, make_window, monkeypatch):
    """A nurse records the patient's signature on form 2026.1 witnessed by a colleague: the chart's consent
    line then says when and on which form it was signed."""
    p = patient(services, staff)
    induction(services, staff, p.id, chair(services, staff))
    ws = signed_in(make_window, staff["nurse"]).workspace
    ws.open_patient(p.id)
    assert "IV racemic ketamine, induction — no signed consent on file" in _consent_texts(ws)
    seen = []

    def exec_(dialog):
        seen.append((dialog.treatment.currentText(), dialog.signer_name.text(), dialog.form_version.text()))
        dialog.witness.setCurrentIndex(dialog.witness.findText("Luis Ferreira, RN"))
        dialog.signed_at.setDateTime(dialog.signed_at.dateTime().addSecs(-3600))
        return dialog.submit() is not None
    monkeypatch.setattr(RecordConsentDialog, "exec", exec_)
    _entries(ws)["record_consent:0:"].trigger()
    assert seen == [("IV racemic ketamine, induction", "Ada Lovelace",
                     "Form in use: version 2026.1. No consent on file for this treatment.")]
    consent = ws.chart.chart.consents[0]
    assert (consent.signer_name, consent.witness, consent.template_version) == ("Ada Lovelace", "Luis Ferreira, RN",
                                                                                  "2026.1")
    assert consent.signed_at == services.context.now() - timedelta(hours=1)
    assert "IV racemic ketamine, induction — signed 2026-03-02 on form 2026.1" in _consent_texts(ws)


def test_a_consent_dated_before_the_patients_birth_is_refused_beside_the_time(qtbot, services, staff):
    """The year typed wrong (1970 for a patient born in 1980): the message names the date of birth, beside the
    time field, and nothing is recorded."""
    p = patient(services, staff)
    nurse = staff["nurse"]
    dialog = RecordConsentDialog(
        services.patients.chart(nurse, p.id), Protocol.IV_INDUCTION,
        lambda protocol: services.paperwork.consent_status(nurse, p.id, protocol), services.staff.list(nurse), ZONE,
        services.context.now(), lambda *a, **k: services.patients.record_consent(nurse, p.id, *a, **k))
    qtbot.addWidget(dialog)
    dialog.signed_at.setDateTime(dialog.signed_at.dateTime().addYears(-56))
    assert dialog.submit() is None
    assert dialog.errors.shown() == {
        "signed_at": "This time is before the patient's date of birth (1980-05-01): check the date."}
    assert services.patients.chart(nurse, p.id).consents == ()


def test_the_consent_dialog_shows_each_error_beside_its_field(qtbot, services, staff):
    """A time in the future, and a representative without name or relation, are refused beside the fields; the
    patient's name is offered only while the patient is the signer."""
    p = patient(services, staff)
    nurse = staff["nurse"]
    chart = services.patients.chart(nurse, p.id)
    dialog = RecordConsentDialog(
        chart, Protocol.IV_INDUCTION, lambda protocol: services.paperwork.consent_status(nurse, p.id, protocol),
        services.staff.list(nurse), ZONE, services.context.now(),
        lambda *a, **k: services.patients.record_consent(nurse, p.id, *a, **k))
    qtbot.addWidget(dialog)
    dialog.signed_at.setDateTime(dialog.signed_at.dateTime().addDays(1))
    assert dialog.submit() is None
    assert dialog.errors.shown() == {"signed_at": "A time in the future cannot be recorded."}
    dialog.signed_at.setDateTime(QDateTime(dialog.signed_at.date().addDays(-1), dialog.signed_at.time()))
    dialog.as_representative.setChecked(True)
    assert dialog.signer_name.text() == "" and dialog.relation.isEnabled()
    assert dialog.submit() is None
    assert set(dialog.errors.shown()) == {"signer_name", "signer_relation"}
    dialog.signer_name.setText("Ruth Lovelace")
    dialog.relation.setText("Legal guardian")
    saved = dialog.submit()
    assert (saved.signer_name, saved.signer_relation) == ("Ruth Lovelace", "Legal guardian")
    assert services.patients.chart(nurse, p.id).consents[0].signer_relation == "Legal guardian"


def test_a_new_form_version_shows_re_consent_in_red_on_the_chart(qtbot, services, staff, make_window,
                                                                 newer_consent_form):
    """Signed on 2026.1 while 2026.2 is in use: the chart says so, and the dialog records on the new form."""
    p = patient(services, staff)
    services.patients.record_consent(staff["nurse"], p.id, Protocol.IV_INDUCTION, "2026.1")
    ws = signed_in(make_window, staff["nurse"]).workspace
    ws.open_patient(p.id)
    texts = _consent_texts(ws)
    assert "IV racemic ketamine, induction — signed 2026-03-02 on form 2026.1" in texts
    assert "Re-consent needed: form 2026.2 is current" in texts
    status = services.paperwork.consent_status(staff["nurse"], p.id, Protocol.IV_INDUCTION)
    assert status.current_version == newer_consent_form


def test_the_summary_letter_starts_from_the_default_recommendations(qtbot, services, staff, make_window,
                                                                    monkeypatch, previews):
    """The recommendations come prefilled, a text too long is refused beside the field, and the edited text is
    what the letter says."""
    p = patient(services, staff)
    series = induction(services, staff, p.id, chair(services, staff))
    ws = signed_in(make_window, staff["physician"]).workspace
    ws.open_patient(p.id)
    prefilled = []

    def exec_(dialog):
        prefilled.append(dialog.text.toPlainText())
        dialog.text.setPlainText("x" * 7000)
        assert dialog.submit() is None and "recommendations" in dialog.errors.shown()
        dialog.text.setPlainText("Continue maintenance every four weeks.")
        return dialog.submit() is not None
    monkeypatch.setattr(RecommendationsDialog, "exec", exec_)
    _entries(ws)[f"summary:{series.id}:"].trigger()
    assert prefilled == [services.paperwork.default_recommendations(staff["physician"], series.id)]
    shown, _then = previews
    letter = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(shown[0].sheet.pdf)).pages)
    assert shown[0].sheet.kind is SheetKind.SUMMARY and "Continue maintenance every four weeks." in letter


# --- from the session screen ---------------------------------------------------------------------------------


def test_the_session_screen_prints_the_record_then_the_discharge_sheet(qtbot, services, staff, clock, previews):
    """Before the dose stops the discharge sheet waits and Ctrl+P opens the infusion record; once recovering,
    Ctrl+P opens the discharge sheet."""
    _pid, sid, _ = checked_in(services, staff)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    bar = screen.paperwork
    assert bar.isVisible() and not bar.discharge_button.isEnabled() and bar.record_button.isEnabled()
    shown, _then = previews
    with qtbot.waitActive(screen):  # shortcuts reach only the active window
        screen.activateWindow()
    qtbot.keyClick(screen.tabs.currentWidget(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert [d.sheet.kind for d in shown] == [SheetKind.RECORD]
    given(services, staff, clock, sid)
    screen.reload()
    assert bar.discharge_button.isEnabled()
    qtbot.keyClick(screen.tabs.currentWidget(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    bar.record_button.click()
    assert [d.sheet.kind for d in shown] == [SheetKind.RECORD, SheetKind.DISCHARGE, SheetKind.RECORD]
    assert shown[1].sheet.object_id == sid


def test_a_sheet_without_the_clinic_phone_says_so_before_printing(preview):
    """The preview names what the sheet leaves out, in red above the pages; a complete sheet shows no warning."""
    from dataclasses import replace

    gaps = ("the clinic's phone number (the sentences that would give it are left out)",)
    dialog, _told = preview(replace(a_sheet(), gaps=gaps))
    assert dialog.gaps.isVisible()
    assert dialog.gaps.text() == ("Not on this sheet yet: the clinic's phone number (the sentences that would give "
                                  "it are left out). An administrator or physician sets them under Administration "
                                  "> Clinic.")
    complete, _told = preview()
    assert not complete.gaps.isVisible()


def test_the_preview_opens_preparing_and_the_first_page_arrives_from_the_worker(worker, qtbot, services, staff,
                                                                                 monkeypatch):
    """With the real worker: the preview is shown before the sheet exists ("Preparing the sheet…", nothing to
    print yet); the infusion record is rendered and its first page drawn off the GUI thread, then shown."""
    import threading

    from clinic_desktop.ui.paperwork import page_stack
    from clinic_desktop.ui.paperwork.actions import PaperworkActions
    from clinic_desktop.ui.paperwork.preview_dialog import PREPARING

    _pid, sid, _ = checked_in(services, staff)
    holder = QPushButton()
    qtbot.addWidget(holder)
    gui, rendered_in = threading.get_ident(), []
    real_render = page_stack.render_each
    monkeypatch.setattr(page_stack, "render_each",
                        lambda *args: rendered_in.append(threading.get_ident()) or real_render(*args))
    release = threading.Event()
    real_record = services.paperwork.infusion_record

    def record(*args):
        release.wait(10)
        return real_record(*args)
    monkeypatch.setattr(services.paperwork, "infusion_record", record)
    seen = {}

    def exec_(dialog):
        dialog.resize(800, 900)
        dialog.show()
        qtbot.waitExposed(dialog)
        seen["preparing"] = (dialog.title.text(), dialog.print_button.isEnabled(), dialog.sheet is None)
        with qtbot.waitSignal(dialog.stack.pageShown, timeout=20_000) as first:
            release.set()
        seen["first"] = first.args[0]
        qtbot.waitUntil(lambda: dialog.print_button.isEnabled())
        seen["ready"] = (dialog.title.text(), dialog.stack.pages[0].image is not None)
        return 0
    monkeypatch.setattr(PreviewDialog, "exec", exec_)
    PaperworkActions(services, lambda: staff["nurse"], holder).infusion_record(sid)
    assert seen["preparing"] == (PREPARING, False, True)
    assert seen["first"] == 0 and seen["ready"][1] and seen["ready"][0].startswith("Infusion record")
    assert rendered_in and gui not in rendered_in, "the pages were drawn on the worker"
