"""A sample page with the clinic's letterhead, so the Clinic page shows what every sheet will carry before saving."""

from __future__ import annotations

from datetime import date

from reportlab.platypus import Flowable, Spacer

from clinic_desktop.domain.paperwork import ClinicLetterhead, PatientIdent
from clinic_desktop.printing.layout import build_pdf, letterhead, para, styles

#: An obviously invented patient: the sample must never look like someone's real record.
SAMPLE_PATIENT = PatientIdent("Sample Patient", date(1980, 1, 1), "00000000")


def render_letterhead_sample(clinic: ClinicLetterhead) -> bytes:
    s = styles()
    night = clinic.out_of_hours_phone
    story: list[Flowable] = [
        letterhead(clinic, SAMPLE_PATIENT, s),
        Spacer(1, 10),
        para("Sample sheet", s.title),
        para(f"Emergency: call {clinic.emergency_number}. Thoughts of suicide: call or text {clinic.crisis_number} "
             f"({clinic.crisis_line}).", s.body),
        para(f"After hours, call {night}." if night else "No after-hours number is set: discharge sheets leave the "
             "after-hours sentence out.", s.body),
    ]
    return build_pdf(story, title="Letterhead sample", footer="Letterhead sample", paper=clinic.paper)
