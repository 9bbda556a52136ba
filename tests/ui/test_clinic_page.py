"""The Clinic page: the letterhead as a form with its preview, errors beside each field, the logo chosen from a
file, one save for all of it, read-only for those who may not change it, and unsaved edits kept until discarded."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from clinic_desktop.domain.clinic_profile import ClinicProfile
from clinic_desktop.ui.clinic_page import ClinicPage


def png_file(tmp_path, name: str = "logo.png", size: tuple[int, int] = (160, 60)):
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", size, (0, 80, 160)).save(path)
    return path


def open_page(make_window, principal) -> tuple[object, ClinicPage]:
    window = make_window()
    window.sign_in(principal)
    window.menus.clinic.trigger()
    page = window.workspace.clinic
    assert page is not None and window.workspace.tabs.currentWidget() is page
    return window, page


def type_into(qtbot, page: ClinicPage, name: str, text: str) -> None:
    field = page.fields[name]
    field.clear()
    qtbot.keyClicks(field, text)


def test_filled_in_and_saved_the_sheets_carry_it(qtbot, make_window, services, staff, tmp_path):
    """Typed name, phones, A4 and a logo: one Save stores them all, and the form is clean again."""
    window, page = open_page(make_window, staff["admin"])
    type_into(qtbot, page, "name", "Harbor View Clinic")
    page.fields["address"].setPlainText("12 Quay Street\nFairview, OR 97024")
    type_into(qtbot, page, "phone", "(503) 555-0142")
    type_into(qtbot, page, "after_hours_phone", "(503) 555-0199")
    page.fields["paper"].setCurrentIndex(page.fields["paper"].findData("a4"))
    logo = png_file(tmp_path)
    page._choose_logo = lambda _parent: str(logo)
    page.choose_button.click()
    assert page.is_dirty() and page.save_button.isEnabled()
    page.save_button.click()
    assert services.settings.profile(staff["nurse"]) == ClinicProfile(
        "Harbor View Clinic", "12 Quay Street\nFairview, OR 97024", "(503) 555-0142", "(503) 555-0199", paper="a4")
    assert services.settings.logo(staff["nurse"]) == logo.read_bytes()
    assert not page.is_dirty() and not page.save_button.isEnabled()
    assert "Clinic details saved" in window.statusBar().currentMessage()


def test_each_bad_field_is_marked_beside_it_and_nothing_is_saved(qtbot, make_window, services, staff):
    """An empty name, a phone in words and a letter emergency number: three messages, each beside its field."""
    _window, page = open_page(make_window, staff["admin"])
    page.fields["name"].clear()
    type_into(qtbot, page, "phone", "call the desk")
    type_into(qtbot, page, "emergency_number", "nine")
    page.save_button.click()
    shown = page.errors.shown()
    assert shown["name"] == "Clinic name is required."
    assert shown["phone"].startswith("Clinic phone should be a phone number")
    assert shown["emergency_number"].startswith("Emergency number should be the number people dial")
    assert services.settings.profile(staff["admin"]) == ClinicProfile()
    assert page.fields["phone"].text() == "call the desk"  # what was typed stays for correcting


def test_a_file_that_is_not_an_image_is_refused_beside_the_logo(qtbot, make_window, services, staff, tmp_path):
    """A text file chosen as the logo: the preview and the save say so beside the logo; nothing is stored."""
    _window, page = open_page(make_window, staff["admin"])
    not_image = tmp_path / "notes.png"
    not_image.write_text("not a picture")
    page._choose_logo = lambda _parent: str(not_image)
    page.choose_button.click()
    page.update_preview()
    assert page.errors.shown()["logo"] == "The logo must be a PNG or JPEG image."
    assert not page.save()
    assert services.settings.logo(staff["admin"]) is None


def test_the_preview_draws_the_letterhead_as_typed(qtbot, make_window, staff):
    """After typing, the preview is redrawn (debounced) and says what is still missing."""
    _window, page = open_page(make_window, staff["admin"])
    page.update_preview()
    assert "Not set yet: the clinic's name, its address, its phone number." in page.preview_note.text()
    type_into(qtbot, page, "name", "Harbor View Clinic")
    type_into(qtbot, page, "phone", "(503) 555-0142")
    page.fields["address"].setPlainText("12 Quay Street")
    qtbot.waitUntil(lambda: page.preview_note.text() == "Printed on Letter (8.5 × 11 in) paper.", timeout=3000)
    assert not page.preview.pixmap().isNull() and page.preview.pixmap().width() >= 320


def test_a_nurse_reads_the_clinic_details_but_cannot_change_them(qtbot, make_window, services, staff):
    """Fields disabled, no Save, and the page says who changes them."""
    services.settings.update_profile(staff["admin"], ClinicProfile("Harbor View Clinic"))
    _window, page = open_page(make_window, staff["nurse"])
    assert page.fields["name"].text() == "Harbor View Clinic"
    assert not page.fields["name"].isEnabled() and not page.choose_button.isEnabled()
    assert page.save_button.isHidden() and "A physician or an administrator changes it." in page.intro.text()


def test_closing_with_unsaved_edits_asks_first(qtbot, make_window, staff, monkeypatch):
    """Closing the tab with a typed change asks; Cancel keeps the page and what was typed."""
    window, page = open_page(make_window, staff["admin"])
    type_into(qtbot, page, "name", "Half-typed Clinic")
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: asked.append(args[2]) or
                        QMessageBox.StandardButton.Cancel)
    tabs = window.workspace.tabs
    tabs.tabCloseRequested.emit(tabs.indexOf(page))
    assert asked == ["Discard what you typed in the clinic's details?"]
    assert window.workspace.clinic is page and page.fields["name"].text() == "Half-typed Clinic"
