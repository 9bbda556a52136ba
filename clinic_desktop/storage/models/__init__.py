"""The ORM: every table of the clinical record. Import from here, not from the submodules."""

from clinic_desktop.storage.models.audit import Amendment, AuditEntry, EmergencySession, Signature
from clinic_desktop.storage.models.base import Base
from clinic_desktop.storage.models.monitoring import MonitoringNote, ScaleResponse, VitalSignsReading
from clinic_desktop.storage.models.people import (
    Allergy,
    ConsentRecord,
    Diagnosis,
    Medication,
    Patient,
    ReferringClinician,
    ScreeningRecord,
    Staff,
    WeightMeasurement,
)
from clinic_desktop.storage.models.settings import ClinicImage, ClinicSetting, SheetText
from clinic_desktop.storage.models.treatment import Chair, DoseRecord, InfusionSeries, TreatmentSession

__all__ = [
    "Amendment", "AuditEntry", "EmergencySession", "Signature",
    "Allergy", "Base", "Chair", "ClinicImage", "ClinicSetting", "ConsentRecord", "Diagnosis", "DoseRecord", "InfusionSeries",
    "Medication", "MonitoringNote", "Patient", "ReferringClinician", "ScaleResponse", "ScreeningRecord", "SheetText",
    "Staff",
    "TreatmentSession", "VitalSignsReading", "WeightMeasurement",
]
