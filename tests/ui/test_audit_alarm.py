"""A tampered audit log is shown in the window to an administrator at sign-in (ui/audit_alarm.py), not only by
`clinic-desktop audit verify`; other roles are not shown it, and an intact log shows nothing."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.storage.backup_support import register
from tests.ui.ui_support import sign_in_through_the_page, visible_texts


def signed_in_window(qtbot, make_window, who):
    window = make_window()
    sign_in_through_the_page(qtbot, window, who.username, PASSWORD)
    assert window.principal is not None and window.principal.id == who.id
    return window


def test_an_administrator_sees_the_alarm_for_a_deleted_head_file(qtbot, make_window, services, staff, db, tmp_path):
    register(services, staff["nurse"], "Alarm")
    db.keyring.head_path.unlink()
    window = signed_in_window(qtbot, make_window, staff["admin"])
    alarm = window.workspace.audit_alarm
    assert alarm.isVisible()
    texts = " ".join(visible_texts(alarm))
    assert "The audit log may have been tampered with." in texts
    assert "audit-head.json" in texts and "missing" in texts
    assert "Administration > Audit log > Verify log" in texts
    assert window.workspace.isEnabled(), "the alarm does not block the administrator's work"
    window.resize(1100, 500)
    shot = tmp_path / "audit-alarm.png"
    assert window.grab().save(str(shot)) and shot.stat().st_size > 0
    qtbot.mouseClick(alarm.open_button, _left())
    assert window.workspace.tabs.currentWidget() is window.workspace.audit
    qtbot.mouseClick(alarm.dismiss_button, _left())
    assert not alarm.isVisible()


def test_others_are_not_shown_the_alarm(qtbot, make_window, services, staff, db):
    register(services, staff["nurse"], "Alarm")
    db.keyring.head_path.unlink()
    for role in ("nurse", "physician", "front_desk"):
        window = signed_in_window(qtbot, make_window, staff[role])
        assert not window.workspace.audit_alarm.isVisible(), role
        assert not [t for t in visible_texts(window) if "tampered" in t], role
        window.close()


def test_an_intact_log_shows_no_alarm(qtbot, make_window, services, staff):
    register(services, staff["nurse"], "Quiet")
    window = signed_in_window(qtbot, make_window, staff["admin"])
    assert not window.workspace.audit_alarm.isVisible()
    assert not [t for t in visible_texts(window) if "tampered" in t]


def test_the_newest_backups_failed_check_is_shown(qtbot, make_window, services, staff, db):
    """The check every backup runs found a problem: that result is shown at sign-in, naming the backup."""
    from dataclasses import replace

    from clinic_desktop.storage.backup_manifest import read_manifest, write_manifest

    register(services, staff["nurse"], "Checked")
    made = services.backups.back_up_now(staff["admin"])
    manifest = read_manifest(made.path)
    write_manifest(made.path, replace(manifest, verified=False, problem="entry 3 is missing (deleted)."))
    window = signed_in_window(qtbot, make_window, staff["admin"])
    texts = " ".join(visible_texts(window.workspace.audit_alarm))
    assert made.file_name in texts and "entry 3 is missing" in texts


def _left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
