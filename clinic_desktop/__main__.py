"""`python -m clinic_desktop` runs the same command as `clinic-desktop`."""

import sys

from clinic_desktop.cli import main

sys.exit(main())
