"""Everything the patient chart shows, read in one transaction: the chart and each treatment's consent status
(judged from the consents the chart already read), so the chart view reads the services once per refresh."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from clinic_desktop.domain.consent import ConsentStatus, consent_protocols, consent_status
from clinic_desktop.domain.records import PatientChart
from clinic_desktop.services.chart import build_chart
from clinic_desktop.services.consents import current_form_version
from clinic_desktop.storage import models


@dataclass(frozen=True)
class ChartView:
    """The chart view's one read: the patient's chart and the consent status of each treatment that matters
    for them (ui/patient_chart.py shows both)."""

    chart: PatientChart
    consent_statuses: tuple[ConsentStatus, ...]


def build_chart_view(session: Session, patient: models.Patient, today: date) -> ChartView:
    chart = build_chart(session, patient, today)
    return ChartView(chart, tuple(consent_status(p, chart.consents, current_form_version(session, p))
                                  for p in consent_protocols(chart)))
