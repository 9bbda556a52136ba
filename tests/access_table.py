"""The role x action policy written out by hand, from the README's description of each role, for the access tests
to check the application's table against. Never built from `PERMISSIONS`: a change to the policy must be made in
both places, which is the point (a planted "front desk may record vitals" fails the tests)."""

from __future__ import annotations

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.enums import StaffRole

#: One letter per role allowed: F front desk, N nurse, P physician, A administrator.
ROLE_LETTERS = {"F": StaffRole.FRONT_DESK, "N": StaffRole.NURSE, "P": StaffRole.PHYSICIAN,
                "A": StaffRole.ADMINISTRATOR}

ALLOWED: dict[Action, str] = {
    # Patients and their record: front desk registers and edits; clinicians record what is clinical.
    Action.PATIENT_VIEW: "FNP",
    Action.PATIENT_REGISTER: "FNP",
    Action.PATIENT_UPDATE: "FNP",
    Action.WEIGHT_RECORD: "NP",
    Action.SCREENING_RECORD: "NP",
    Action.CONSENT_RECORD: "FNP",
    Action.REMS_RECORD: "FP",
    Action.CLINICIAN_MANAGE: "FNP",
    # Scheduling and the day
    Action.SERIES_PLAN: "FNP",
    Action.SERIES_STOP: "FNP",
    Action.SESSION_CHECK_IN: "FNP",
    Action.SESSION_DAY_ANSWERS: "FNP",
    Action.SESSION_CANCEL: "FNP",
    Action.CHECKS_OVERRIDE: "P",
    # The dose: the physician orders, a nurse or physician gives it and witnesses waste
    Action.DOSE_ORDER: "P",
    Action.DOSE_AMEND_ORDER: "P",
    Action.DOSE_ADMINISTER: "NP",
    Action.DOSE_AMEND_ADMINISTRATION: "NP",
    Action.WASTE_WITNESS: "NP",
    # Monitoring: clinicians chart; front desk hands the PHQ-9 tablet over, hence scales
    Action.VITALS_RECORD: "NP",
    Action.NOTE_ADD: "NP",
    Action.SCALE_RECORD: "FNP",
    Action.SCALE_ACKNOWLEDGE: "NP",
    Action.DISCHARGE: "NP",
    Action.PRINT: "FNP",
    # Administration: accounts, chairs, the audit, backups and sheet texts are the administrator's alone;
    # physicians change clinical thresholds too; everyone sees the staff list and the settings.
    Action.STAFF_VIEW: "FNPA",
    Action.USER_MANAGE: "A",
    Action.CHAIR_MANAGE: "A",
    Action.SETTINGS_VIEW: "FNPA",
    Action.SETTINGS_CHANGE: "PA",
    Action.AUDIT_VIEW: "A",
    Action.AUDIT_EXPORT: "A",
    Action.EMERGENCY_ACCESS: "A",
    Action.EMERGENCY_REVIEW: "A",
    Action.BACKUP_MANAGE: "A",
    Action.SHEET_TEXT_MANAGE: "A",
}


def allowed_roles(action: Action) -> set[StaffRole]:
    return {ROLE_LETTERS[letter] for letter in ALLOWED[action]}
