"""Paperwork from the record: each sheet filled from a real database, every print audited, and re-consent when
the consent form or the treatment changes."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.errors import NotFound, ValidationError
from clinic_desktop.domain.paperwork import SheetKind
from clinic_desktop.storage import models
from tests.conftest import ZONE, sign_in_again
from tests.pdf_text import flat, page_texts


def text_of(pdf: bytes) -> str:
    return "\n".join(page_texts(pdf))


@pytest.fixture
def course(clinic):
    """Ada with a planned series of six, the first two sessions given and discharged (PHQ-9 16 then 9)."""
    patient = clinic.patient()
    series = clinic.plan(patient.id)
    first, second = series.sessions[0], series.sessions[1]
    clinic.full_day(patient.id, first.id)
    clinic.clock.advance(days=2)
    sign_in_again(clinic.staff, clinic.clock)
    clinic.full_day(patient.id, second.id, phq9=[1, 1, 1, 1, 1, 1, 1, 2, 0])
    return patient, series


def audit_rows(db, action: str) -> list[models.AuditEntry]:
    with db.session() as s:
        return list(s.execute(select(models.AuditEntry).where(models.AuditEntry.action == action)
                              .order_by(models.AuditEntry.seq)).scalars())


# -- consent ---------------------------------------------------------------------------------------------------


def test_consent_for_a_series_names_the_patient_the_treatment_and_its_planned_course(clinic, course):
    patient, series = course
    sheet = clinic.services.paperwork.consent(clinic.staff["front_desk"], patient.id, series.id)
    text = flat(text_of(sheet.pdf))
    assert sheet.kind is SheetKind.CONSENT and sheet.template_version == "2026.1"
    assert (sheet.object_type, sheet.object_id, sheet.patient_id) == ("series", series.id, patient.id)
    for expected in ("Ada Lovelace", patient.mrn, "1980-05-01", Protocol.IV_INDUCTION.label,
                     "6 infusions of 0.5 mg/kg", "version 2026.1"):
        assert expected in text
    assert sheet.suggested_filename == f"consent-{patient.mrn}-2026-03-04.pdf"


def test_consent_for_a_protocol_without_a_series_and_the_refusals(clinic):
    patient = clinic.patient(consent=None)
    paperwork, desk = clinic.services.paperwork, clinic.staff["front_desk"]
    sheet = paperwork.consent(desk, patient.id, protocol=Protocol.ESKETAMINE)
    assert "REMS" in text_of(sheet.pdf)
    with pytest.raises(ValidationError) as missing:
        paperwork.consent(desk, patient.id)
    assert missing.value.field == "protocol"
    with pytest.raises(NotFound):
        paperwork.consent(desk, 999_999, protocol=Protocol.IV_INDUCTION)
    other = clinic.patient(given_names="Grace", family_name="Hopper")
    others_series = clinic.plan(other.id)
    with pytest.raises(NotFound):
        paperwork.consent(desk, patient.id, others_series.id)


def test_the_clinic_profile_is_the_letterhead(clinic):
    from clinic_desktop.domain.clinic_profile import ClinicProfile

    clinic.services.settings.update_profile(clinic.staff["admin"], ClinicProfile(
        "Harbour Mood Clinic", "7 Quay Street, Portland", "503-555-0100", "503-555-0111"))
    patient = clinic.patient()
    text = flat(text_of(clinic.services.paperwork.consent(clinic.staff["nurse"], patient.id,
                                                           protocol=Protocol.IV_INDUCTION).pdf))
    assert "Harbour Mood Clinic" in text and "7 Quay Street, Portland" in text and "503-555-0100" in text


# -- session sheets --------------------------------------------------------------------------------------------


def test_discharge_sheet_carries_the_dose_vitals_score_escort_and_next_appointment(clinic, course):
    patient, series = course
    sheet = clinic.services.paperwork.discharge(clinic.staff["nurse"], series.sessions[1].id)
    text = flat(text_of(sheet.pdf))
    next_visit = series.sessions[2].scheduled_at.astimezone(ZONE)
    for expected in ("Ada Lovelace", "40 mg", "0.5 mg/kg", "Tom Lovelace", "988", "911",
                     next_visit.strftime("%Y-%m-%d"), "Aldrete", "124/78"):
        assert expected in text, expected
    assert sheet.kind is SheetKind.DISCHARGE and sheet.template_version == "2026.2"


def test_a_sheet_printed_before_the_phone_is_set_names_the_gap(clinic, course):
    """Without a phone and address every sheet says what it leaves out; once they are set, nothing."""
    from clinic_desktop.domain.clinic_profile import ClinicProfile

    _patient, series = course
    paperwork, nurse = clinic.services.paperwork, clinic.staff["nurse"]
    assert paperwork.discharge(nurse, series.sessions[1].id).gaps == (
        "the clinic's phone number (the sentences that would give it are left out)", "the clinic's address")
    clinic.services.settings.update_profile(clinic.staff["admin"], ClinicProfile(
        "Quay Mood Clinic", "7 Quay Street", "503-555-0100"))
    assert paperwork.discharge(nurse, series.sessions[1].id).gaps == ()
    assert paperwork.summary_letter(clinic.staff["physician"], series.id).gaps == ()


def test_discharge_sheet_follows_the_clinic_profile_numbers_paper_and_logo(clinic, course):
    """A clinic abroad sets 112 / 116 123, A4 and a logo: the printed sheet (and the letter's crisis plan) say so."""
    import io

    import pypdf
    from PIL import Image

    from clinic_desktop.domain.clinic_profile import ClinicProfile

    logo = io.BytesIO()
    Image.new("RGB", (200, 80), (10, 90, 200)).save(logo, "PNG")
    clinic.services.settings.update_profile(clinic.staff["admin"], ClinicProfile(
        "Quay Mood Clinic", "7 Quay Street, Galway", "091 555 0100", emergency_number="112",
        crisis_number="116 123", crisis_line="Samaritans", paper="a4"), logo=logo.getvalue())
    patient, series = course
    sheet = clinic.services.paperwork.discharge(clinic.staff["nurse"], series.sessions[1].id)
    text = flat(text_of(sheet.pdf))
    assert "Emergency: call 112. Thoughts of suicide: call or text 116 123." in text and "911" not in text
    reader = pypdf.PdfReader(io.BytesIO(sheet.pdf))
    assert round(float(reader.pages[0].mediabox.width)) == 595 and len(reader.pages[0].images) == 1
    assert sheet.job_name == f"Discharge sheet MRN {patient.mrn}" == reader.metadata.title
    letter = clinic.services.paperwork.default_recommendations(clinic.staff["physician"], series.id)
    assert "call or text 116 123, or call 112" in letter


def test_infusion_record_carries_the_signed_order_and_administration(clinic, course):
    _patient, series = course
    sheet = clinic.services.paperwork.infusion_record(clinic.staff["nurse"], series.sessions[0].id)
    text = flat(text_of(sheet.pdf))
    for expected in ("LOT-1", "Dr Imani Okafor, MD", "Dana Whitlock, RN", "Ordered by", "Administered by",
                     "124/78", "40 mg"):
        assert expected in text, expected
    assert (sheet.object_type, sheet.object_id, sheet.template_version) == ("session", series.sessions[0].id, "")


def test_unknown_sessions_and_series_are_not_found(clinic):
    paperwork, nurse = clinic.services.paperwork, clinic.staff["nurse"]
    for call in (lambda: paperwork.discharge(nurse, 424242), lambda: paperwork.infusion_record(nurse, 424242),
                 lambda: paperwork.summary_letter(nurse, 424242)):
        with pytest.raises(NotFound):
            call()


# -- summary letter ---------------------------------------------------------------------------------------------


def test_summary_letter_lists_the_doses_and_the_outcome_and_a_physician_signs_it(clinic, course):
    _patient, series = course
    sheet = clinic.services.paperwork.summary_letter(clinic.staff["physician"], series.id)
    text = flat(text_of(sheet.pdf))
    for expected in ("Session 1 of 6", "Session 2 of 6", "40 mg", "0.5 mg/kg", "PHQ-9", "16", "9",
                     "Dr Imani Okafor, MD", "988"):
        assert expected in text, expected
    by_desk = flat(text_of(clinic.services.paperwork.summary_letter(clinic.staff["front_desk"], series.id).pdf))
    assert "Dr Imani Okafor" not in by_desk


def test_summary_letter_recommendations_default_from_the_outcome_or_as_written(clinic, course):
    _patient, series = course
    paperwork, md = clinic.services.paperwork, clinic.staff["physician"]
    default = paperwork.default_recommendations(md, series.id)
    assert "PHQ-9 went from 16 to 9" in default and "liver function" in default
    written = "Maintenance every 4 weeks.\n<b>Review</b> in June & recheck BP."
    text = flat(text_of(paperwork.summary_letter(md, series.id, written).pdf))
    assert "<b>Review</b> in June & recheck BP." in text
    with pytest.raises(ValidationError) as too_long:
        paperwork.summary_letter(md, series.id, "x" * 7000)
    assert too_long.value.field == "recommendations"


# -- the print record -------------------------------------------------------------------------------------------


def test_each_print_is_audited_with_who_what_which_version_and_the_pdf_hash(clinic, course, db):
    patient, series = course
    desk = clinic.staff["front_desk"]
    sheet = clinic.services.paperwork.consent(desk, patient.id, series.id)
    assert audit_rows(db, "print") == [], "a preview is not a print"
    clinic.services.paperwork.record_print(desk, sheet, "printer: Front desk LaserJet")
    (row,) = audit_rows(db, "print")
    assert (row.staff_id, row.patient_id, row.object_type, row.object_id) == (desk.id, patient.id, "series",
                                                                               str(series.id))
    assert row.details == {"sheet": "consent", "title": sheet.title, "template_version": "2026.1",
                           "destination": "printer: Front desk LaserJet",
                           "sha256": hashlib.sha256(sheet.pdf).hexdigest()}
    with pytest.raises(ValidationError):
        clinic.services.paperwork.record_print(desk, sheet, "  ")
    assert len(audit_rows(db, "print")) == 1


# -- consent records and re-consent ----------------------------------------------------------------------------


def test_recording_a_consent_keeps_signer_witness_version_and_time(clinic):
    patient = clinic.patient(consent=None)
    nurse, witness = clinic.staff["nurse"], clinic.staff["nurse2"]
    signed_at = clinic.clock.now() - timedelta(minutes=5)
    entry = clinic.services.patients.record_consent(nurse, patient.id, Protocol.IV_INDUCTION, "2026.1", signed_at,
                                                    witness.id)
    assert (entry.signer_name, entry.signer_relation, entry.witness, entry.recorded_by) == (
        "Ada Lovelace", "", "Luis Ferreira, RN", "Dana Whitlock, RN")
    assert entry.signed_at == signed_at and entry.template_version == "2026.1"
    by_guardian = clinic.services.patients.record_consent(nurse, patient.id, Protocol.IM, "2026.1",
                                                          signer_name="Ruth Lovelace", signer_relation="Guardian")
    assert (by_guardian.signer_name, by_guardian.signer_relation) == ("Ruth Lovelace", "Guardian")
    chart = clinic.services.patients.chart(nurse, patient.id)
    assert {c.signer_name for c in chart.consents} == {"Ada Lovelace", "Ruth Lovelace"}


def test_recording_a_consent_refuses_bad_input_and_saves_nothing(clinic, db):
    patient = clinic.patient(consent=None)
    nurse, record = clinic.staff["nurse"], clinic.services.patients.record_consent
    cases = [
        (dict(signer_relation="Guardian"), "signer_name"),
        (dict(signed_at=clinic.clock.now() + timedelta(hours=1)), "signed_at"),
        (dict(signed_at=clinic.clock.now().replace(tzinfo=None)), "signed_at"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as refused:
            record(nurse, patient.id, Protocol.IV_INDUCTION, "2026.1", **kwargs)
        assert refused.value.field == field
    with pytest.raises(NotFound):
        record(nurse, patient.id, Protocol.IV_INDUCTION, "2026.1", witness_id=999_999)
    assert clinic.services.patients.chart(nurse, patient.id).consents == ()


def consent_check(clinic, session_id):
    items = clinic.services.sessions.checks(clinic.staff["nurse"], session_id)
    return next(i for i in items if i.key == "consent")


def test_a_new_consent_form_asks_for_re_consent_until_signed_on_it(clinic, newer_consent_form):
    patient = clinic.patient()  # signed on 2026.1
    series = clinic.plan(patient.id)
    nurse = clinic.staff["nurse"]
    status = clinic.services.paperwork.consent_status(nurse, patient.id, Protocol.IV_INDUCTION)
    assert status.needs_consent and status.current_version == "2026.2" and status.signed.template_version == "2026.1"
    item = consent_check(clinic, series.sessions[0].id)
    assert item.blocks and "form 2026.1" in item.detail and "2026.2" in item.detail
    assert clinic.services.paperwork.consent(nurse, patient.id, series.id).template_version == "2026.2"
    clinic.services.patients.record_consent(nurse, patient.id, Protocol.IV_INDUCTION, "2026.2")
    assert not clinic.services.paperwork.consent_status(nurse, patient.id, Protocol.IV_INDUCTION).needs_consent
    assert not consent_check(clinic, series.sessions[0].id).blocks


def test_a_new_protocol_needs_its_own_consent(clinic):
    patient = clinic.patient()  # consent for IV induction only
    nurse = clinic.staff["nurse"]
    status = clinic.services.paperwork.consent_status(nurse, patient.id, Protocol.IV_MAINTENANCE)
    assert status.needs_consent and status.signed is None
    maintenance = clinic.plan(patient.id, Protocol.IV_MAINTENANCE, sessions=2)
    assert consent_check(clinic, maintenance.sessions[0].id).blocks
    assert not clinic.services.paperwork.consent_status(nurse, patient.id, Protocol.IV_INDUCTION).needs_consent

