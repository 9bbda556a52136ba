"""The administration pages a workspace opens in tabs: for each, the attribute that holds it, its tab's title, the
action that lets a user see it, and how it is made and wired. The workspace shows, drops and closes them all
the same way (workspace._show_admin), so a new page is one entry here."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from PySide6.QtWidgets import QWidget

from clinic_desktop.domain.access import Action

if TYPE_CHECKING:
    from clinic_desktop.ui.workspace import Workspace


@dataclass(frozen=True)
class AdminPage:
    attr: str
    title: str
    action: Action
    make: Callable[[Workspace], QWidget]
    #: Called on an open page when the user's rights may have changed (sign-in again, emergency access).
    resync: str = ""


def page_class(where: str) -> type:
    """The page class named "module:Class" (in clinic_desktop.ui), imported the first time a page of its kind is
    opened: most users never open most of these pages, and start-up does not pay for loading them."""
    module, name = where.split(":")
    return getattr(importlib.import_module(f"clinic_desktop.ui.{module}"), name)


def _page(where: str, **forwarded: str) -> Callable[[Workspace], QWidget]:
    """Make the page class `where` names ("module:Class") for the workspace's user; its `message` goes to the
    status bar, and each page signal named in `forwarded` to the workspace signal it maps to
    (saved="settingsSaved")."""
    def make(ws: Workspace) -> QWidget:
        page = page_class(where)(ws._services, lambda: ws.principal)  # noqa: SLF001 (the workspace's own services)
        if hasattr(page, "message"):
            page.message.connect(ws.message)
        for page_signal, workspace_signal in forwarded.items():
            getattr(page, page_signal).connect(getattr(ws, workspace_signal))
        return page
    return make


def _reviews(ws: Workspace) -> QWidget:
    page = page_class("emergency:EmergencyReviewPage")(ws._services, lambda: ws.principal)  # noqa: SLF001 (the workspace's own services)
    page.reviewed.connect(lambda _id: ws.message.emit("Emergency access marked reviewed.", 5000))
    return page


def _clinic(ws: Workspace) -> QWidget:
    page = _page("clinic_page:ClinicPage", saved="clinicSaved")(ws)
    page.saved.connect(lambda _profile: ws.back_to_guide())
    return page


AUDIT = AdminPage("audit", "Audit log", Action.AUDIT_VIEW, _page("audit_viewer:AuditViewer"))
REVIEWS = AdminPage("reviews", "Emergency reviews", Action.EMERGENCY_REVIEW, _reviews)
USERS = AdminPage("users", "Users", Action.USER_MANAGE, _page("users_page:UsersPage"))
CLINIC = AdminPage("clinic", "Clinic", Action.SETTINGS_VIEW, _clinic, resync="refresh")
CHAIRS = AdminPage("chairs", "Chairs", Action.CHAIR_MANAGE, _page("chairs_page:ChairsPage"))
SETTINGS = AdminPage("clinic_settings", "Clinic settings", Action.SETTINGS_VIEW,
                     _page("settings_page:SettingsPage", saved="settingsSaved"), resync="sync_access")
SHEET_TEXTS = AdminPage("sheet_texts", "Sheet texts", Action.SHEET_TEXT_MANAGE, _page("sheet_texts_page:SheetTextsPage"))
BACKUPS = AdminPage("backups", "Backup and Restore", Action.BACKUP_MANAGE, _page("backup_page:BackupPage", restored="restored"))
#: In the order the workspace checks them after a change of rights.
ADMIN_PAGES = (AUDIT, REVIEWS, USERS, BACKUPS, CLINIC, CHAIRS, SHEET_TEXTS, SETTINGS)
