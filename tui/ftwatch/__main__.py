"""`python -m ftwatch` runs the same entry point as the `ftwatch` console script."""

import sys

from ftwatch.cli import main

sys.exit(main())
