"""The four sheets' renderers in one place, for callers that load them on first use."""

from clinic_desktop.printing.consent import render_consent
from clinic_desktop.printing.discharge import render_discharge
from clinic_desktop.printing.infusion_record import render_infusion_record
from clinic_desktop.printing.summary_letter import render_summary_letter

__all__ = ["render_consent", "render_discharge", "render_infusion_record", "render_summary_letter"]
