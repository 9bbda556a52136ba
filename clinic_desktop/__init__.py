"""clinic_desktop: the desktop application of a small ketamine infusion clinic."""

__version__ = "0.1.0"
