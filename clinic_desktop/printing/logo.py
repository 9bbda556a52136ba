"""The clinic's letterhead logo: checked when the clinic stores it, fitted into the letterhead when a sheet prints."""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.platypus import Image

from clinic_desktop.domain.errors import ValidationError

#: The letterhead's logo box: a logo is scaled down into it, never up, keeping its proportions.
LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT = 40 * mm, 18 * mm
#: A letterhead logo needs a few hundred kilobytes at most; a larger file is usually a photograph by mistake.
MAX_LOGO_BYTES = 1_000_000
#: The formats every PDF viewer and printer takes, by the bytes they start with.
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def checked_logo(data: bytes) -> str:
    """The image's media type, or a ValidationError a person can act on (wrong kind of file, too big, damaged)."""
    if not data:
        raise ValidationError("The logo file is empty.", "logo")
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(f"The logo is {len(data) / 1_000_000:.1f} MB; use an image of at most 1 MB.", "logo")
    media_type = next((kind for start, kind in _SIGNATURES.items() if data.startswith(start)), None)
    if media_type is None:
        raise ValidationError("The logo must be a PNG or JPEG image.", "logo")
    try:
        from reportlab.lib.utils import ImageReader

        width, height = ImageReader(io.BytesIO(data)).getSize()
    except Exception:  # noqa: BLE001 (Pillow raises many kinds for a damaged file; all mean the same here)
        raise ValidationError("The logo image is damaged or cannot be read.", "logo") from None
    if width < 16 or height < 16:
        raise ValidationError(f"The logo is only {width} × {height} pixels; it would print blurred.", "logo")
    return media_type


def logo_image(data: bytes | None) -> Image | None:
    """The clinic's logo fitted into the letterhead's logo box (None without one)."""
    if not data:
        return None
    from reportlab.lib.utils import ImageReader

    width, height = ImageReader(io.BytesIO(data)).getSize()
    scale = min(LOGO_MAX_WIDTH / width, LOGO_MAX_HEIGHT / height, 1.0)
    image = Image(io.BytesIO(data), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image
