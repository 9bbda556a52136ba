"""Times and quantities as every printed sheet writes them, so a consent, a discharge sheet and a record agree.

Times print in the clinic's zone as "2026-03-02 09:20" (ISO date, 24 h: unambiguous for staff from any
country); a signature prints in the wall-clock time it was signed in, with that offset, because that is what
the signer saw.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinic_desktop.domain.paperwork import PrintContext
from clinic_desktop.domain.quantities import plain
from clinic_desktop.domain.session_records import SignatureEntry


def in_zone(dt: datetime, zone: ZoneInfo | str) -> datetime:
    """An aware moment in the clinic's zone; at the very ends of the calendar (a stored year 1 or 9999), where
    the zone's offset would leave it, the moment as stored, so a sheet still prints."""
    try:
        return dt.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)
    except OverflowError:
        return dt


def local(dt: datetime, zone_name: str) -> str:
    """An aware (UTC) moment in the clinic's zone: "2026-03-02 09:20"."""
    return in_zone(dt, zone_name).isoformat(" ", "minutes")[:16]  # (strftime leaves a year below 1000 unpadded)


def local_day(dt: datetime, zone_name: str) -> date:
    """The calendar day of a moment in the clinic's zone (late-evening UTC times belong to the local day)."""
    return in_zone(dt, zone_name).date()


def local_date(dt: datetime, zone_name: str) -> str:
    """The clinic-zone date of a moment: "2026-03-02"."""
    return local_day(dt, zone_name).isoformat()


def local_clock(dt: datetime, zone_name: str) -> str:
    """The clinic-zone time of day only: "09:20" (for rows that already show the date)."""
    return f"{in_zone(dt, zone_name):%H:%M}"


def utc_offset(minutes: int) -> str:
    """ "UTC−05:00" with a true minus sign, which reads clearly on paper where a hyphen may look like a dash."""
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02}:{rest:02}"


def signed_at(sig: SignatureEntry) -> str:
    """When a signature was made, in the signer's own wall-clock time: "2026-03-02 09:20 (UTC−05:00)"."""
    return f"{sig.local_time:%Y-%m-%d %H:%M} ({utc_offset(sig.utc_offset_min)})"


def mg(value: Decimal) -> str:
    """A dose without trailing zeros: "37.5 mg", "40 mg"."""
    return f"{plain(value)} mg"


def mg_per_kg(value: Decimal) -> str:
    """A weight-based dose without trailing zeros: "0.5 mg/kg"."""
    return f"{plain(value)} mg/kg"


def printed_line(context: PrintContext) -> str:
    """Who printed a sheet and when, for its footer: "printed 2026-03-02 14:00 by Robin Hale, RN"."""
    return f"printed {local(context.printed_at, context.zone_name)} by {context.printed_by}"
