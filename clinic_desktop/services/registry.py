"""All the services over one database, built once by the composition root (app.py or the CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from clinic_desktop.domain.clock import Clock
from clinic_desktop.services.audit import AuditService
from clinic_desktop.services.auth import AuthService
from clinic_desktop.services.backups import BackupService
from clinic_desktop.services.board import BoardService
from clinic_desktop.services.chairs import ChairService
from clinic_desktop.services.changes import ChangeService
from clinic_desktop.services.clinic_settings import SettingsService
from clinic_desktop.services.context import ServiceContext
from clinic_desktop.services.doses import DoseService
from clinic_desktop.services.monitoring import MonitoringService
from clinic_desktop.services.paperwork import PaperworkService
from clinic_desktop.services.passwords import Passwords
from clinic_desktop.services.patients import PatientService
from clinic_desktop.services.series import SeriesService
from clinic_desktop.services.setup import SetupService
from clinic_desktop.services.sessions import SessionService
from clinic_desktop.services.sheet_text_store import seed_at_start
from clinic_desktop.services.sheet_texts import SheetTextService
from clinic_desktop.services.staff import StaffService
from clinic_desktop.services.user_files import ProtectedPlaces, protect
from clinic_desktop.storage.database import Database


@dataclass(frozen=True)
class Services:
    context: ServiceContext
    patients: PatientService
    series: SeriesService
    sessions: SessionService
    doses: DoseService
    monitoring: MonitoringService
    staff: StaffService
    settings: SettingsService
    auth: AuthService
    audit: AuditService
    board: BoardService
    paperwork: PaperworkService
    backups: BackupService
    #: What other workstations changed (polled by ui/change_watcher.py).
    changes: ChangeService
    #: The chairs on the board and in planning (administrators add, order and retire them).
    chairs: ChairService
    #: How far a new clinic's setup has come (the first-run guide and the board).
    setup: SetupService
    #: The consent and discharge texts the clinic revises (Administration > Sheet texts).
    sheet_texts: SheetTextService

    @classmethod
    def build(cls, db: Database, clock: Clock, zone: ZoneInfo, passwords: Passwords | None = None) -> "Services":
        ctx = ServiceContext(db, clock, zone, passwords or Passwords())
        # A file a person names is never written over this clinic's database, key or head (services.user_files).
        protect(ProtectedPlaces.of_database(db))
        # Every service (the window, the command line, the tests) reads the sheet texts from the database: the
        # ones this version of the application ships are stored first if the database lacks them.
        seed_at_start(ctx)
        return cls(ctx, PatientService(ctx), SeriesService(ctx), SessionService(ctx), DoseService(ctx),
                   MonitoringService(ctx), StaffService(ctx), SettingsService(ctx), AuthService(ctx),
                   AuditService(ctx), BoardService(ctx), PaperworkService(ctx), BackupService(ctx),
                   ChangeService(ctx), ChairService(ctx), SetupService(ctx), SheetTextService(ctx))

    def all(self) -> tuple[object, ...]:
        """Every service object, for the test that checks each action against the policy table."""
        return (self.patients, self.series, self.sessions, self.doses, self.monitoring, self.staff, self.settings,
                self.auth, self.audit, self.board, self.paperwork, self.backups, self.changes,
                self.chairs, self.setup, self.sheet_texts)
