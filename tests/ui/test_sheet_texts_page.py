"""Administration > Sheet texts: the versions of each text, a read-only view, a new version edited or imported
with its problems beside the editor, a preview with an invented patient, and the question before saving."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.ui.paperwork.preview_dialog import PreviewDialog
from clinic_desktop.ui.sheet_text_dialogs import SheetTextEditor, SheetTextViewer
from clinic_desktop.ui.sheet_texts_model import SheetTextsModel
from tests.conftest import NEW_CONSENT_SENTENCE, revised_consent_text
from tests.pdf_text import flat, page_texts
from tests.ui.front_desk_support import patient, signed_in


@pytest.fixture
def dialogs(monkeypatch):
    """Dialogs open without blocking: each kept, and the next queued `then(dialog)` run while it is 'open'."""
    shown, then = [], []

    def exec_(dialog):
        shown.append(dialog)
        if then:
            then.pop(0)(dialog)
        return 0
    for kind in (SheetTextEditor, SheetTextViewer, PreviewDialog):
        monkeypatch.setattr(kind, "exec", exec_)
    return shown, then


def open_page(make_window, staff):
    window = signed_in(make_window, staff["admin"])
    window.menus.sheet_texts.trigger()
    page = window.workspace.sheet_texts
    assert window.workspace.tabs.currentWidget() is page
    return window, page


def cells(page, row: int) -> list[str]:
    model = page.model
    return [model.index(row, c).data() for c in range(model.columnCount())]


def test_the_page_lists_each_text_with_its_versions_newest_first(qtbot, services, staff, make_window):
    """The shipped texts (discharge in two versions); after an import the racemic consent shows 2026.2 in use
    above 2026.1."""
    services.sheet_texts.import_text(staff["admin"], "consent-racemic", revised_consent_text())
    _window, page = open_page(make_window, staff)
    assert page.model.rowCount() == 5
    assert cells(page, 0)[:5] == ["Consent form: ketamine (IV and IM)", "2026.2", "In use", "Imported from a file",
                                  "Sam Adeyemi"]
    assert cells(page, 1)[:5] == ["Consent form: ketamine (IV and IM)", "2026.1", "Earlier version", "Shipped",
                                  "The application"]
    assert [cells(page, r)[2] for r in (2, 3, 4)] == ["In use", "In use", "Earlier version"]
    assert "A new version would be 2026.3" in page.hint.text()


def test_the_model_passes_the_model_tester(qtmodeltester, services, staff):
    """The table model keeps Qt's model contract."""
    model = SheetTextsModel(services.context.zone)
    versions = services.sheet_texts.list(staff["admin"])
    model.set_versions(versions)
    assert model.rowCount() == len(versions) > 0, "the tester checks a model with rows in it"
    qtmodeltester.check(model)


def test_a_version_opens_read_only_and_previews(qtbot, services, staff, make_window, dialogs):
    """View shows the stored text, read-only; its preview is that version's sheet with the sample patient."""
    shown, then = dialogs
    _window, page = open_page(make_window, staff)
    page.select("discharge")
    then.append(lambda viewer: viewer.preview())
    viewer = page.view()
    assert viewer.editor.isReadOnly() and viewer.editor.toPlainText().startswith("title: Going home")
    preview = shown[-1]
    assert isinstance(preview, PreviewDialog) and preview.sheet.template_version == "2026.2"
    assert "Sample Patient" in flat(" ".join(page_texts(preview.sheet.pdf)))


def test_edit_as_new_version_refuses_a_bad_text_beside_the_editor(qtbot, services, staff, make_window, dialogs):
    """An unknown placeholder is named with its line beside the editor, which puts the cursor on that line;
    nothing is stored."""
    _shown, then = dialogs
    _window, page = open_page(make_window, staff)
    page.select("consent-racemic")
    editors = []

    def type_bad(editor):
        editors.append(editor)
        assert editor.version.text() == "2026.2"
        assert editor.editor.toPlainText() == services.sheet_texts.text(staff["admin"], "consent-racemic")
        editor.editor.setPlainText(editor.editor.toPlainText().replace("# 2.", "Call {clinic_fax}.\n# 2.", 1))
        editor.confirm = lambda *_: pytest.fail("asked to save a refused text")
        assert editor.submit() is None
    then.append(type_bad)
    assert page.edit() is None
    editor = editors[0]
    shown = editor.errors.shown()
    assert "{clinic_fax} is not a placeholder" in shown["text"] and shown["text"].startswith("Line ")
    line = int(shown["text"].split()[1].rstrip(":"))
    assert editor.editor.textCursor().blockNumber() == line - 1
    assert [v.version for v in services.sheet_texts.list(staff["admin"]) if v.kind == "consent-racemic"] == ["2026.1"]


def test_saving_a_new_consent_version_asks_then_stores_and_patients_must_re_consent(
        qtbot, services, staff, make_window, dialogs):
    """The question says who must re-consent; once saved the page shows 2026.2 in use and a patient who signed
    2026.1 needs a new signature."""
    _shown, then = dialogs
    p = patient(services, staff)
    services.patients.record_consent(staff["nurse"], p.id, Protocol.IV_INDUCTION, "2026.1")
    window, page = open_page(make_window, staff)
    page.select("consent-racemic")
    questions = []

    def edit(editor):
        editor.editor.setPlainText(revised_consent_text())
        editor.confirm = lambda title, question: questions.append(question) or True
        editor.submit()
    then.append(edit)
    saved = page.edit()
    assert saved is not None and saved.version == "2026.2" and saved.source.value == "edited"
    assert "Patients who signed version 2026.1 will be asked to re-consent" in questions[0]
    assert cells(page, 0)[1:3] == ["2026.2", "In use"] and page.selected().version == "2026.2"
    assert "Stored consent form: ketamine (iv and im) version 2026.2" in window.statusBar().currentMessage()
    status = services.paperwork.consent_status(staff["nurse"], p.id, Protocol.IV_INDUCTION)
    assert status.needs_consent and status.current_version == "2026.2"


def test_answering_cancel_to_the_question_stores_nothing(qtbot, services, staff, make_window, dialogs):
    """The default answer of the save question keeps the editor open and stores nothing."""
    _shown, then = dialogs
    _window, page = open_page(make_window, staff)
    page.select("consent-racemic")

    def edit(editor):
        editor.editor.setPlainText(revised_consent_text())
        assert editor.submit() is None  # the test's question box answers neither Save nor Yes
    then.append(edit)
    assert page.edit() is None
    assert page.model.rowCount() == 4


def test_preview_of_a_draft_shows_the_new_sentence_with_the_next_version(qtbot, services, staff, make_window,
                                                                        dialogs):
    """Preview renders the draft (numbered as the next version) through the paperwork preview dialog."""
    shown, then = dialogs
    _window, page = open_page(make_window, staff)
    page.select("consent-racemic")

    def preview(editor):
        editor.editor.setPlainText(revised_consent_text())
        editor.preview()
    then.append(preview)
    page.edit()
    sheet = shown[-1].sheet
    assert sheet.template_version == "2026.2" and NEW_CONSENT_SENTENCE in flat(" ".join(page_texts(sheet.pdf)))


def test_import_from_file_shows_the_file_and_saves_it_as_imported(qtbot, services, staff, make_window, dialogs,
                                                                  tmp_path):
    """The chosen UTF-8 file fills the editor; saved unchanged, it is stored as an import."""
    _shown, then = dialogs
    path = tmp_path / "consent-racemic-revised.txt"
    path.write_text(revised_consent_text(), encoding="utf-8")
    _window, page = open_page(make_window, staff)
    page.select("consent-racemic")
    page.choose_file = lambda: str(path)

    def save(editor):
        assert editor.editor.toPlainText() == revised_consent_text()
        assert any("Read from consent-racemic-revised.txt" in label.text() for label in editor.findChildren(QLabel))
        editor.confirm = lambda *_: True
        editor.submit()
    then.append(save)
    saved = page.import_file()
    assert saved is not None and saved.source.value == "imported"


def test_a_file_that_is_not_utf8_is_refused_on_the_page(qtbot, services, staff, make_window, dialogs, tmp_path):
    """No editor opens; the page says why beside its buttons."""
    shown, _then = dialogs
    path = tmp_path / "latin.txt"
    path.write_bytes("title: Zoë\n---\n".encode("latin-1"))
    _window, page = open_page(make_window, staff)
    page.choose_file = lambda: str(path)
    assert page.import_file() is None and shown == []
    assert page.error.isVisible() and "not UTF-8 text" in page.error.text()


def test_a_nurse_has_no_sheet_texts_menu(qtbot, staff, make_window):
    """The menu entry is an administrator's; the workspace refuses to open the page for anyone else."""
    window = signed_in(make_window, staff["nurse"])
    assert not window.menus.sheet_texts.isVisible() and not window.menus.sheet_texts.isEnabled()
    assert window.workspace.show_sheet_texts() is None


def test_cancel_with_changes_asks_before_discarding(qtbot, services, staff, make_window, dialogs, monkeypatch):
    """Esc/Cancel on an edited text asks first; choosing Cancel in that question keeps the editor open."""
    _shown, then = dialogs
    _window, page = open_page(make_window, staff)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    kept = []

    def change_then_cancel(editor):
        editor.show()
        editor.editor.setPlainText("title: Half typed\n")
        editor.reject()
        kept.append(editor.isVisible())
    then.append(change_then_cancel)
    page.edit()
    assert kept == [True]
