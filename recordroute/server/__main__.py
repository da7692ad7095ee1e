"""``python -m recordroute.server``: the API process (``recordroute serve`` starts it)."""

from __future__ import annotations

import sys

from .app import main

if __name__ == "__main__":
    sys.exit(main())
