"""Run the matching command-line interface: ``python -m matching rank|assign ...``."""

import sys

from matching.cli import main

sys.exit(main())
