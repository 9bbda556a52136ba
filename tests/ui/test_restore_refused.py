"""Restoring from the Backup and Restore page while another workstation has the database open: refused on the page
with what to do, nothing replaced, the administrator still signed in; once the other closes, the restore goes
through and signs everyone out."""

from __future__ import annotations

from clinic_desktop.ui.backup_page import RestoreDialog
from tests.conftest import PASSWORD
from tests.ui.test_backup_page import _answer, page, register, window  # noqa: F401 (fixtures)
from tests.ui.ui_support import while_dialog_open


def test_a_restore_with_another_workstation_open_is_refused_on_the_page(window, page, services, other, staff,  # noqa: F811
                                                                        tmp_path):
    page.back_up_now()
    register(other, staff["nurse"], "Later")  # the other workstation is open and saving
    page.table.selectRow(0)
    while_dialog_open(RestoreDialog, _answer(PASSWORD))
    page.restore_selected()
    assert page.error.isVisible()
    if services.context.db.is_sqlite:
        assert "Another Clinic Desktop window or command on this computer has the clinic database open" \
               in page.error.text()
    else:
        assert "1 other workstation is connected to the clinic database" in page.error.text()
    assert "Nothing was changed" in page.error.text()
    assert window.current is not None and services.patients.count(staff["nurse"]) == 1
    assert [r.kind.value for r in services.backups.list(staff["admin"])] == ["manual"], "no safety copy was taken"
    page.grab().save(str(tmp_path / "restore_refused.png"))
    other.context.db.close()  # the other workstation closes Clinic Desktop
    while_dialog_open(RestoreDialog, _answer(PASSWORD))
    page.restore_selected()
    assert window.current is None and window.stack.currentWidget() is window.sign_in_page
    assert services.patients.count(staff["nurse"]) == 0
