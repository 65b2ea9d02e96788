"""`python -m voiceshop`: the same CLI as the `voiceshop` script, for checkouts run with PYTHONPATH (worktrees, CI)."""

import sys

from voiceshop.cli import main

sys.exit(main())
