"""The bundle's entry point: the same command as `clinic-desktop` from a pip install."""

import sys

from clinic_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
