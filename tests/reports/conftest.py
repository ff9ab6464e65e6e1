from __future__ import annotations

import sys
from pathlib import Path

# The toy benchmark module is imported as ``tests.reports.toy_benchmark`` (also by the registry's entry point).
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.reports.helpers import registered, run_toy  # noqa: E402,F401
