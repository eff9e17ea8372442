"""`python -m ftwatch.sim` runs the standalone simulator, like `ftwatch sim`."""

import sys

from ftwatch.sim.cli import main

sys.exit(main())
