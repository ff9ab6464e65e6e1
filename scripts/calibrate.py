"""Print the calibration table of every registered test and interval (scorers/stats/calibration.py).

    .venv/bin/python scripts/calibrate.py            # full simulation counts (several minutes on 2 cores)
    .venv/bin/python scripts/calibrate.py --scale 0.2 --only survey
    .venv/bin/python scripts/calibrate.py --markdown  # the table scorers/README.md carries (progress on stderr)

Exits 1 when a case is not calibrated.
"""

from __future__ import annotations

import argparse
import sys

from scorers.stats.calibration import Case, all_cases, calibration_table, markdown_table
from scorers.stats.settings import SEED


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every case's simulation count")
    parser.add_argument("--only", default="", help="run only cases whose name or owner contains this text")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table only")
    args = parser.parse_args()
    cases = [c for c in all_cases() if args.only in c.name or args.only in c.owner]
    if not cases:
        print(f"calibrate: no case matches {args.only!r}", file=sys.stderr)
        return 2

    def progress(case: Case, row: dict, seconds: float) -> None:
        power = "" if row["power"] != row["power"] else f"  power {row['power']:.3f}"
        print(
            f"{row['calibrated']:>12}  {row['observed']:.3f} (nominal {row['nominal']:.3f} ± "
            f"{3 * row['mc_se']:.3f}){power}  {case.name}  [{seconds:.1f} s]",
            file=sys.stderr if args.markdown else sys.stdout,
            flush=True,
        )

    table = calibration_table(cases, seed=args.seed, scale=args.scale, progress=progress)
    if args.markdown:
        print(markdown_table(table))
    failed = table[table["calibrated"] == "NO"]
    if len(failed):
        print(f"calibrate: {len(failed)} case(s) not calibrated: {', '.join(failed['case'])}", file=sys.stderr)
    return 1 if len(failed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
