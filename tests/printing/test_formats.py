"""Times and doses as every printed sheet writes them."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from clinic_desktop.domain.paperwork import PrintContext
from clinic_desktop.domain.session_records import SignatureEntry
from clinic_desktop.printing import formats

UTC = timezone.utc
NEW_YORK = "America/New_York"


def test_times_print_in_the_clinic_zone_across_daylight_saving() -> None:
    """14:00 UTC is 09:00 in New York in winter and 10:00 in summer; late UTC evenings are the previous day."""
    assert formats.local(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), NEW_YORK) == "2026-03-02 09:00"
    assert formats.local(datetime(2026, 7, 2, 14, 0, tzinfo=UTC), NEW_YORK) == "2026-07-02 10:00"
    late = datetime(2026, 3, 3, 2, 30, tzinfo=UTC)
    assert formats.local_date(late, NEW_YORK) == "2026-03-02"
    assert formats.local_clock(late, NEW_YORK) == "21:30"


def test_signature_time_is_the_signers_wall_clock_with_its_offset() -> None:
    """A signature prints as signed, with a true minus sign for zones west of UTC."""
    west = SignatureEntry("Ordered by", "Dana Whitfield, MD", datetime(2026, 3, 2, 14, 20, tzinfo=UTC), -300, "valid")
    east = SignatureEntry("Witnessed by", "Sam Ortiz, RN", datetime(2026, 3, 2, 14, 20, tzinfo=UTC), 330, "valid")
    assert formats.signed_at(west) == "2026-03-02 09:20 (UTC\u221205:00)"
    assert formats.signed_at(east) == "2026-03-02 19:50 (UTC+05:30)"


def test_doses_print_without_trailing_zeros_or_exponents() -> None:
    """37.50 prints as 37.5 mg; 1.0E+2 as 100 mg; 0.500 as 0.5 mg/kg."""
    assert formats.mg(Decimal("37.50")) == "37.5 mg"
    assert formats.mg(Decimal("1.0E+2")) == "100 mg"
    assert formats.mg_per_kg(Decimal("0.500")) == "0.5 mg/kg"


def test_printed_line_says_when_and_by_whom() -> None:
    """The footer's "printed ... by ..." in the clinic's zone."""
    context = PrintContext(datetime(2026, 3, 2, 19, 0, tzinfo=UTC), "Robin Hale, RN", NEW_YORK)
    assert formats.printed_line(context) == "printed 2026-03-02 14:00 by Robin Hale, RN"
