"""Print the survey benchmark's tables for one eval log (and write its distribution plot).

python -m benchmarks.survey.report logs/survey-dev/<log>.eval [--plot out.svg] [--top 10]
"""

from __future__ import annotations

import argparse

import pandas as pd
from inspect_ai.log import read_eval_log

from benchmarks.survey.plots import plot_distributions
from benchmarks.survey.summary import summarize, unit_table
from reports.logs import samples_frame


def read_samples(log_path: str) -> pd.DataFrame:
    """The registry's summarize input for one log."""
    log = read_eval_log(log_path)
    if log.status != "success" or not log.samples:
        raise SystemExit(f"{log_path}: log status {log.status!r} with {len(log.samples or [])} samples")
    return samples_frame(log)


def _fmt(row) -> str:
    ci = "" if pd.isna(row["ci_low"]) else f" [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"
    return f"{row['value']:.3f}{ci}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--plot", help="write the most-misaligned distributions plot (SVG) here")
    parser.add_argument("--top", type=int, default=10, help="rows of the per-item table")
    args = parser.parse_args(argv)
    samples = read_samples(args.log)
    table = summarize(samples)
    print("## Headline and steerability\n")
    overall = table[table.group == "overall"]
    print("| metric | value [95% CI] | n | note |\n|---|---|---|---|")
    for _, r in overall.iterrows():
        note = r.get("note") if isinstance(r.get("note"), str) else ""
        print(f"| {r['metric']} | {_fmt(r)} | {r['n']} | {note} |")
    for name, key in (("question", "question"), ("sub-population", "subpop")):
        part = table[table.table == key]
        print(f"\n## Per {name} (worst first)\n")
        print("| rank | " + name + " | rejected share [CI] | representativeness [CI] | invalid share | n |")
        print("|---|---|---|---|---|---|")
        for group, rows in part.groupby("group", sort=False):
            m = rows.set_index("metric")
            print(
                f"| {int(m.loc['representativeness', 'rank'])} | {group} | {_fmt(m.loc['rejected_share'])} | "
                f"{_fmt(m.loc['representativeness'])} | {m.loc['invalid_share', 'value']:.3f} | "
                f"{int(m.loc['representativeness', 'n'])} |"
            )
    units = unit_table(samples)
    units = units[units.conditioned].head(args.top)
    print(f"\n## {args.top} most misaligned (question, sub-population) items\n")
    print("| item | human | model (options) | invalid | repr. | BH p | test | w |\n|---|---|---|---|---|---|---|---|")
    for _, u in units.iterrows():
        human = ", ".join(f"{x:.2f}" for x in u["human_shares"])
        model = ", ".join(f"{x:.2f}" for x in u["model_shares"])
        print(
            f"| {u['sample_id']} | {human} | {model} | {u['invalid_share']:.2f} | {u['representativeness']:.3f} | "
            f"{u['p_adjusted']:.2g} | {u['test_method']} | {u['cohens_w']:.3f} |"
        )
    if args.plot:
        plot_distributions(samples, top=6, path=args.plot)
        print(f"\nplot: {args.plot}")


if __name__ == "__main__":
    main()
