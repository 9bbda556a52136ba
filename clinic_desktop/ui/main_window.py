"""The main window: the patient list on the left, the selected patient's chart on the right."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QSplitter

from clinic_desktop import __version__
from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services.registry import Services
from clinic_desktop.settings import Locations
from clinic_desktop.ui.patient_chart import PatientChartView
from clinic_desktop.ui.patient_list import PatientListPanel
from clinic_desktop.ui.theme import STYLESHEET

EMPTY_DATABASE_HINT = ("There are no patients in this database yet.\n\nTo explore the application with fictional "
                       "patients, close it and run:\n    clinic-desktop --data-dir DEMO_FOLDER demo\nthen open it with "
                       "the same --data-dir.")


class MainWindow(QMainWindow):
    def __init__(self, services: Services, locations: Locations, principal: Principal) -> None:
        super().__init__()
        self._services = services
        self._locations = locations
        self.principal = principal
        ctx = services.context
        self.setWindowTitle("Clinic Desktop")
        self.setStyleSheet(STYLESHEET)

        self.patients = PatientListPanel(
            fetch=lambda query, after: services.patients.search(self.principal, query, after),
            count=lambda query: services.patients.count(self.principal, query), today=ctx.today)
        self.chart = PatientChartView(ctx.zone, ctx.today)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.patients)
        self.splitter.addWidget(self.chart)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.patients.patientChosen.connect(self.open_patient)

        self.database_label = QLabel(self._database_text())
        self.database_label.setObjectName("muted")
        self.statusBar().addPermanentWidget(self.database_label)
        self._build_menus()
        self._restore_layout()

        self.patients.refresh()
        if self.patients.model.rowCount() == 0 and not self.patients.search_box.text():
            self.chart.show_message(EMPTY_DATABASE_HINT)
        self.patients.focus_search()

    # --- actions ---------------------------------------------------------------------------------
    def open_patient(self, patient_id: int) -> None:
        try:
            chart = self._services.patients.chart(self.principal, patient_id)
        except ClinicError as exc:
            self.chart.show_message(exc.message)
            self.statusBar().showMessage(exc.message, 8000)
            return
        self.chart.show_chart(chart)
        self.statusBar().showMessage(f"Opened {chart.display_name} (MRN {chart.mrn})", 4000)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        patients_menu = self.menuBar().addMenu("&Patients")
        self.find_action = QAction("&Find patient", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.patients.focus_search)
        patients_menu.addAction(self.find_action)
        refresh = QAction("&Refresh list", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.patients.refresh)
        patients_menu.addAction(refresh)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Clinic Desktop", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _about(self) -> None:
        QMessageBox.about(self, "About Clinic Desktop",
                          f"Clinic Desktop {__version__}\n\nData folder: {self._locations.data_dir}\n"
                          f"{self._database_text()}")

    def _database_text(self) -> str:
        url = self._services.context.db.engine.url
        if url.get_backend_name() == "sqlite":
            return f"Database: {url.database}"
        return f"Database: {url.render_as_string(hide_password=True)}"

    # --- remembering the layout ------------------------------------------------------------------
    def _restore_layout(self) -> None:
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        splitter = settings.value("main/splitter")
        if splitter is None or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([430, 850])

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        settings = QSettings()
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/splitter", self.splitter.saveState())
        super().closeEvent(event)
