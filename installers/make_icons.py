"""Build the Windows (.ico) and macOS (.icns) application icons from the PNGs in resources/icons.

Run once after changing the PNGs, then commit the results; the bundle build reads the committed files, so it
needs neither this script nor a drawing program:

    python installers/make_icons.py

Pillow (installed with ReportLab) writes both formats on any system. Each size is taken from its own PNG, not
scaled down from the largest, so the small icons keep the sharpness they were drawn with.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
#: Windows shows 16-48 in lists and the task bar and 256 in large views; ICO stops at 256.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: macOS reads 16-512 (and the doubled "retina" variants, made from the same files).
ICNS_SIZES = (16, 32, 64, 128, 256, 512)


def png(size: int) -> Image.Image:
    image = Image.open(ICONS / f"clinic-desktop-{size}.png").convert("RGBA")
    if image.size != (size, size):
        raise SystemExit(f"clinic-desktop-{size}.png is {image.size[0]}x{image.size[1]}, not {size}x{size}")
    return image


def main() -> int:
    largest = max(ICO_SIZES)
    ico = ICONS / "clinic-desktop.ico"
    png(largest).save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                      append_images=[png(s) for s in ICO_SIZES if s != largest])
    icns = ICONS / "clinic-desktop.icns"
    png(max(ICNS_SIZES)).save(icns, format="ICNS", append_images=[png(s) for s in ICNS_SIZES[:-1]])
    for path in (ico, icns):
        print(f"wrote {path.name} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
