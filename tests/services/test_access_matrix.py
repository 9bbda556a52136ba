"""The role x action table enforced in the service layer: every action guarded, every guard as the table says."""

from __future__ import annotations

import inspect
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

import clinic_desktop.services as services_package
from clinic_desktop.domain.access import PERMISSIONS, Action, PermissionDenied, Principal, SignInRequired
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import RuleViolation
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.context import acting_staff
from clinic_desktop.storage import models
from tests.access_table import allowed_roles
from tests.conftest import PASSWORD

FD, RN, MD, ADMIN = StaffRole.FRONT_DESK, StaffRole.NURSE, StaffRole.PHYSICIAN, StaffRole.ADMINISTRATOR

#: Actions no service method performs yet, and why. Keep this tiny: each entry is a promise to come back.
RESERVED: dict[Action, str] = {}
#: Actions checked against someone other than the caller, so no method carries them; the source must use them.
CHECKED_ON_ANOTHER_PERSON: dict[Action, str] = {
    Action.WASTE_WITNESS: "the waste witness is a second clinician; doses.stop checks them against the table",
}
#: A value no real argument would have: the permission check must decide before anything looks at it.
NONSENSE = 987_654_321
#: A refusal: not allowed by the table, or no (longer a) valid sign-in.
REFUSED = (PermissionDenied, SignInRequired)
PATIENT = PatientInput(given_names="Ada", family_name="Lovelace", date_of_birth="1980-05-01", sex="female")


def service_methods(services):
    """(label, bound method, function) for every public method of every service object."""
    out = []
    for service in services.all():
        for name, function in inspect.getmembers(type(service), inspect.isfunction):
            if not name.startswith("_"):
                out.append((f"{type(service).__name__}.{name}", getattr(service, name), function))
    return out


def nonsense_arguments(function):
    """Positional and keyword-only arguments for every required parameter after (self, actor)."""
    params = list(inspect.signature(function).parameters.values())[2:]
    args = [NONSENSE for p in params if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    kwargs = {p.name: NONSENSE for p in params if p.default is p.empty and p.kind is p.KEYWORD_ONLY}
    return args, kwargs


def expected_roles(principal: Principal, now) -> set[StaffRole]:
    """Worked out here, not with the code under test: job role, admin flag, physician during an emergency."""
    roles = {principal.role} | ({ADMIN} if principal.is_admin else set())
    if principal.emergency_until is not None and now < principal.emergency_until:
        roles.add(MD)
    return roles


@pytest.fixture
def emergency(services, staff) -> Principal:
    """The administrator in a real break-glass session."""
    return services.auth.start_emergency(staff["admin"], "Physician unreachable, patient deteriorating", PASSWORD)


def test_every_public_service_method_is_guarded_or_marked_public(services):
    """A public method with neither @requires nor @public (a new unprotected action) fails here."""
    methods = service_methods(services)
    assert len(methods) > 40
    unguarded = [label for label, _bound, f in methods
                 if not hasattr(f, "required_action") and not getattr(f, "public", False)]
    assert unguarded == []
    both = [label for label, _bound, f in methods if hasattr(f, "required_action") and getattr(f, "public", False)]
    assert both == []


def test_public_methods_are_only_signing_in_and_first_run(services):
    """Only the few methods that must work before anyone signs in are public."""
    public = {label for label, _b, f in service_methods(services) if getattr(f, "public", False)}
    assert public == {"AuthService.login", "AuthService.needs_first_admin", "AuthService.create_first_admin"}


def test_every_action_is_used_or_explicitly_reserved(services):
    """Each Action guards at least one method, or is listed (with a reason) as reserved / checked on another."""
    used = {f.required_action for _l, _b, f in service_methods(services) if hasattr(f, "required_action")}
    assert set(PERMISSIONS) == set(Action), "every action needs a row in the table"
    assert set(Action) - used == set(RESERVED) | set(CHECKED_ON_ANOTHER_PERSON)
    assert not set(RESERVED) & used, "a reserved action is in use now: remove it from RESERVED"
    source = "".join(p.read_text() for p in Path(services_package.__file__).parent.glob("*.py"))
    for action in CHECKED_ON_ANOTHER_PERSON:
        assert f"Action.{action.name}" in source


def test_matrix_every_action_as_every_role(services, staff, clock, emergency):
    """Each guarded method as front desk, nurse, physician, admin and admin-in-emergency: zero mismatches with the
    table written out by hand in tests/access_table.py (never with PERMISSIONS, the code under test)."""
    principals = {k: staff[k] for k in ("front_desk", "nurse", "physician", "admin")} | {"emergency": emergency}
    mismatches, calls = [], 0
    for label, bound, function in service_methods(services):
        action = getattr(function, "required_action", None)
        if action is None:
            continue
        args, kwargs = nonsense_arguments(function)
        for who, principal in principals.items():
            allowed = bool(expected_roles(principal, clock.now()) & allowed_roles(action))
            calls += 1
            try:
                bound(principal, *args, **kwargs)
                outcome = "ran"
            except REFUSED:
                outcome = "denied"
            except Exception:  # noqa: BLE001 (anything but a refusal means the check let it through)
                outcome = "ran"
            if (outcome == "ran") != allowed:
                mismatches.append(f"{label} as {who}: {outcome}, table says {'allow' if allowed else 'deny'}")
    assert calls > 200
    assert mismatches == []


def test_the_table_itself_keeps_its_promises():
    """Spot checks of the policy: who orders, who gives, who administers accounts."""
    assert PERMISSIONS[Action.DOSE_ORDER] == {MD}
    assert PERMISSIONS[Action.DOSE_ADMINISTER] == {RN, MD}
    assert FD not in PERMISSIONS[Action.WASTE_WITNESS] and ADMIN not in PERMISSIONS[Action.WASTE_WITNESS]
    assert PERMISSIONS[Action.USER_MANAGE] == {ADMIN} and PERMISSIONS[Action.AUDIT_VIEW] == {ADMIN}
    assert ADMIN not in PERMISSIONS[Action.PATIENT_VIEW], "administrators see patients only in an emergency"


def test_an_inactive_account_is_refused_everything(services, staff):
    """A Principal whose account is disabled gets PermissionDenied from every guarded method."""
    inactive = {k: replace(p, active=False) for k, p in staff.items()}
    slipped = []
    for label, bound, function in service_methods(services):
        if not hasattr(function, "required_action"):
            continue
        args, kwargs = nonsense_arguments(function)
        for who, principal in inactive.items():
            try:
                bound(principal, *args, **kwargs)
                slipped.append(f"{label} as {who}")
            except PermissionDenied:
                pass
            except Exception:  # noqa: BLE001 (anything but a refusal means the call slipped through)
                slipped.append(f"{label} as {who}")
    assert slipped == []


def test_no_principal_at_all_is_refused(services):
    """Calling without a signed-in user (None, a bare id, a name) is a refusal, not a crash."""
    for bad in (None, 1, "okafor"):
        with pytest.raises(REFUSED):
            services.patients.search(bad, "")
        with pytest.raises(REFUSED):
            services.audit.entries(bad)


def test_emergency_gives_physician_actions_until_it_ends(services, staff, clock, emergency):
    """Break-glass lets the administrator register a patient; once it ends, the same Principal may not."""
    assert services.patients.register(emergency, PATIENT).mrn
    with pytest.raises(PermissionDenied):
        services.patients.register(staff["admin"], PATIENT)
    clock.advance(minutes=services.settings.current(emergency).emergency_access_minutes)
    with pytest.raises(PermissionDenied):
        services.patients.register(emergency, PATIENT)


def test_a_forged_emergency_is_refused_at_the_write(services, staff, clock):
    """An emergency window with no EmergencySession on record does not let a write through."""
    forged = replace(staff["admin"], emergency_until=clock.now() + timedelta(hours=1), emergency_id=4242)
    with pytest.raises(PermissionDenied, match="not on record"):
        services.patients.register(forged, PATIENT)
    assert services.patients.count(staff["nurse"]) == 0


def _set(db, staff_id: int, **values) -> None:
    with db.session() as s:
        row = s.get(models.Staff, staff_id)
        for name, value in values.items():
            setattr(row, name, value)
        s.commit()


def test_a_role_change_after_sign_in_stops_writes(services, staff, db):
    """A physician demoted to nurse in the database can no longer write with their old sign-in."""
    md = staff["physician"]
    _set(db, md.id, role=StaffRole.NURSE)
    with pytest.raises(REFUSED, match="sign in again"):
        services.patients.register(md, PATIENT)
    assert services.patients.count(staff["nurse"]) == 0
    fresh = services.auth.login(md.username, PASSWORD)
    assert fresh.role is RN and services.patients.register(fresh, PATIENT).mrn


def test_losing_administration_rights_stops_account_management(services, staff, db):
    """An administrator whose rights were removed cannot add, disable or reset accounts any more."""
    admin = staff["admin"]
    _set(db, admin.id, role=StaffRole.NURSE, is_admin=False)
    with pytest.raises(REFUSED):
        services.auth.add_user(admin, "newnurse", "New Nurse", "nurse", "a perfectly fine passphrase")
    with pytest.raises(REFUSED):
        services.auth.set_active(admin, "whitlock", False)
    with pytest.raises(REFUSED):
        services.auth.reset_password(admin, "whitlock", "a perfectly fine passphrase")
    assert services.auth.login("whitlock", PASSWORD).active


def test_a_disabled_account_cannot_write_with_its_old_sign_in(services, staff, db):
    """Disabled in the database after sign-in: writes are refused and nothing is saved."""
    nurse, admin = staff["nurse"], staff["admin"]
    _set(db, nurse.id, active=False)
    with pytest.raises(REFUSED + (RuleViolation,)):
        services.patients.register(nurse, PATIENT)
    _set(db, admin.id, active=False)
    with pytest.raises(REFUSED + (RuleViolation,)):
        services.auth.add_user(admin, "newnurse", "New Nurse", "nurse", "a perfectly fine passphrase")
    assert services.patients.count(staff["physician"]) == 0


def test_acting_staff_rechecks_roles_inside_the_write(staff, db):
    """The second line: the row read inside the write transaction must still match the Principal."""
    md = staff["physician"]
    with db.session() as s:
        assert acting_staff(s, md).id == md.id
    _set(db, md.id, role=StaffRole.NURSE)
    with db.session() as s, pytest.raises(PermissionDenied, match="roles changed"):
        acting_staff(s, md)
    _set(db, md.id, role=StaffRole.PHYSICIAN, active=False)
    with db.session() as s, pytest.raises(RuleViolation):
        acting_staff(s, md)
