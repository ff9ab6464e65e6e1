"""leaderboard/: ranks, escaping, links, figures and method notes of the static site (without a browser)."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest

from leaderboard.html import CSP, SORT_JS
from leaderboard.ranks import ci_ranks, entirely_better
from leaderboard.site import SiteBuilder, build_site, method_notes, slug
from reports.tables import build_report
from tests.reports.helpers import doubling, run_toy
from twinbench.registry import Direction, HeadlineMetric

PLANTED = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def test_ci_ranks_only_separate_non_overlapping_cis() -> None:
    # A [0.8, 0.9] beats C [0.1, 0.3]; B [0.25, 0.85] overlaps both, so it separates from neither.
    assert ci_ranks([0.8, 0.25, 0.1], [0.9, 0.85, 0.3], "higher") == [1, 1, 2]
    assert ci_ranks([0.8, 0.5, 0.1], [0.9, 0.7, 0.3], "higher") == [1, 2, 3]
    assert ci_ranks([0.8, 0.5, 0.1], [0.9, 0.7, 0.3], "lower") == [3, 2, 1]
    assert ci_ranks([0.5, 0.7], [0.7, 0.9], "higher") == [1, 1]  # touching at 0.7 counts as overlap
    assert ci_ranks([0.1, float("nan")], [0.2, float("nan")], "higher") == [1, None]
    # Closer to 0 is better: [-0.05, 0.1] contains 0; [0.2, 0.3] and [-0.4, -0.25] are entirely farther.
    assert ci_ranks([-0.05, 0.2, -0.4], [0.1, 0.3, -0.25], "zero") == [1, 2, 2]
    assert not entirely_better((0.0, 0.3), (-0.2, 0.2), Direction.ZERO)
    assert entirely_better((-0.1, 0.1), (-0.5, -0.2), Direction.ZERO)  # |x| <= 0.1 beats |x| >= 0.2


@pytest.mark.parametrize("direction", ["higher", "lower", "zero"])
def test_ci_ranks_count_the_entirely_better_cis(direction: str) -> None:
    """The ranks by bisection are the rule's count, written out pair by pair, on CIs that touch and tie."""
    rng = np.random.default_rng(3)
    lows = np.round(rng.normal(size=60), 1)  # one decimal: many equal ends, touching CIs
    highs = lows + np.round(rng.uniform(0, 1, size=60), 1)
    lows[5] = highs[5] = float("nan")
    pairs = list(zip(lows.tolist(), highs.tolist()))
    expected = [
        None if np.isnan(this[0]) else
        1 + sum(not np.isnan(o[0]) and entirely_better(o, this, Direction(direction)) for o in pairs)
        for this in pairs
    ]  # fmt: skip
    assert ci_ranks(lows.tolist(), highs.tolist(), direction) == expected


@pytest.fixture
def site(registered, tmp_path: Path) -> Path:
    logs = tmp_path / "logs"
    run_toy(logs, "good", doubling(lambda i: True), n=20)
    run_toy(logs, "half", doubling(lambda i: i % 2 == 0, wrong=PLANTED), n=20)
    run_toy(logs, "poor", doubling(lambda i: i < 2), n=20)
    (logs / "broken.eval").write_bytes(b"junk")
    build_site(build_report(logs, registered), tmp_path / "site")
    return tmp_path / "site"


def test_site_pages_tables_and_ranks(site: Path) -> None:
    index = (site / "index.html").read_text()
    assert index.count('<table class="sortable" id="headline-toy">') == 1
    rows = re.findall(r"<tr><td data-sort=\"(mock/\w+)\">.*?</tr>", index)
    assert rows == ["mock/good", "mock/half", "mock/poor"]
    # Accuracy 20/20 [0.839, 1], 10/20 [0.299, 0.701], 2/20 [0.028, 0.301]: good > half > poor? half and poor
    # overlap (0.299 < 0.301), so poor is only separated from good: ranks 1, 2, 2.
    ranks = re.findall(r'<td data-sort="(\d*)" class="num rank">', index)
    assert ranks[0::2] == ["1", "2", "2"]
    assert "broken.eval: unreadable" in index
    assert (site / "benchmarks" / "toy.html").is_file()
    for model in ("mock/good", "mock/half", "mock/poor"):
        assert (site / "models" / f"{slug(model)}.html").is_file()
    assert (site / "data" / "headline.csv").is_file() and (site / "data" / "summary.md").is_file()


def test_closer_to_zero_columns_sort_and_rank_by_magnitude(registered, site: Path, tmp_path: Path) -> None:
    # The toy's accuracy declared closer-to-0-is-better and moved below 0 for one run: its cell sorts by |value|.
    toy = registered["toy"]
    zero = replace(toy, headline=(HeadlineMetric("correct", "Signed score", Direction.ZERO),))
    report = build_report(tmp_path / "logs", {"toy": zero})
    good = report.headline["model"] == "mock/good"
    report.headline.loc[good, ["value", "ci_low", "ci_high"]] = [-1.0, -1.0, -0.8]  # |x| in [0.8, 1]: the worst
    builder = SiteBuilder(report, tmp_path / "site3")
    html = builder.headline_table(zero, tmp_path / "site3")
    assert "Signed score →0" in html
    values = re.findall(r'<td data-sort="([-\d.e]+)" class="num">', html)
    assert [float(v) for v in values] == pytest.approx([1.0, 0.5, 0.1])  # good, half, poor: |value|
    ranks = dict(zip(builder.headline.loc[builder.headline["metric"] == "correct", "model"],
                     builder.headline.loc[builder.headline["metric"] == "correct", "rank"]))  # fmt: skip
    # half [0.299, 0.701] and poor [0.028, 0.301] overlap (rank 1 each); both lie entirely closer to 0 than
    # good's |value| range [0.8, 1]
    assert ranks == {"mock/good": 3, "mock/half": 1, "mock/poor": 1}


def test_model_text_and_titles_are_escaped(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert "window.__pwned" not in text or "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in text
        assert "<script>window" not in text and "<img src=x" not in text
        assert "<b>not bold</b>" not in text  # the toy's title carries markup: shown as text
        assert text.count("<script>") == 1  # only our sorter
    assert "&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;" in run_page(site, "mock/half")


def run_page(site: Path, model: str) -> str:
    """The text of the (only) run page the model's page links."""
    model_page = site / "models" / f"{slug(model)}.html"
    (href,) = set(re.findall(r'<a href="(\.\./runs/[^"]+)">numbers &amp; samples</a>', model_page.read_text()))
    return (model_page.parent / unquote(href)).read_text()


def test_each_run_has_a_page_with_every_number_and_its_samples(registered, site: Path, tmp_path: Path) -> None:
    """Every number a run's summarize reported is on the run's own page (filterable), not on the benchmark page, which
    links each run's page from its headline row and its "All reported numbers" list, as the index and the model page
    do."""
    report = build_report(tmp_path / "logs", registered)
    logs = {Path(log).name: model for log, model in zip(report.logs["log"], report.logs["model"])}
    pages = sorted(p.relative_to(site).as_posix() for p in (site / "runs").rglob("*.html"))
    assert pages == sorted(f"runs/{name}.html" for name in logs)
    benchmark = (site / "benchmarks" / "toy.html").read_text()
    index = (site / "index.html").read_text()
    assert 'id="numbers' not in benchmark and '<h2 id="all-numbers">All reported numbers</h2>' in benchmark
    for name, model in logs.items():
        assert benchmark.count(f'href="../runs/{name}.html"') == 2  # its headline row and the list
        assert index.count(f'href="runs/{name}.html"') == 1
        page = run_page(site, model)
        summary = report.run_summary(next(log for log in report.logs["log"] if Path(log).name == name))
        rows = re.search(r'<table class="sortable" id="numbers">.*?<tbody>(.*?)</tbody>', page).group(1)
        assert rows.count("<tr>") == len(summary) > 1  # every row, breakdowns included
        assert '<input class="filter" data-table="numbers"' in page
        assert page.count('<pre class="output">') == 20  # its samples
        assert f'href="../data/runs/{name}/summary.csv"' in page and 'href="../benchmarks/toy.html"' in page
        assert f"<title>Toy doubling quiz &lt;b&gt;not bold&lt;/b&gt;: {model} (toy_quiz)</title>" in page
        assert '<nav><a href="../index.html">' in page
    model_page = (site / "models" / f"{slug('mock/half')}.html").read_text()
    assert '<pre class="output">' not in model_page and 'id="numbers' not in model_page


def test_links_are_relative_and_resolve(site: Path) -> None:
    assert_links_resolve(site)


def assert_links_resolve(site: Path) -> None:
    for page in site.rglob("*.html"):
        for href in re.findall(r'(?:href|src)="([^"]+)"', page.read_text()):
            assert not href.startswith(("http:", "https:", "//")), f"{page.name} links off-site: {href}"
            target = (page.parent / unquote(href.split("#")[0])).resolve()
            assert target.exists(), f"{page.relative_to(site)} -> {href}"


def test_a_run_without_a_summary_has_a_page_that_says_so(registered, site: Path, tmp_path: Path) -> None:
    """A run whose summarize failed has no numbers but still a page (its samples, its data) in the benchmark's
    list."""
    toy = registered["toy"]

    def picky(samples):  # type: ignore[no-untyped-def]
        summary = toy.summarize(samples)
        if summary["value"].iloc[0] < 0.2:  # mock/poor: 2 of 20 right
            raise ValueError("too few right")
        return summary

    report = build_report(tmp_path / "logs", {"toy": replace(toy, summarize=picky)})
    build_site(report, tmp_path / "site5")
    (poor,) = [Path(log).name for log, model in zip(report.logs["log"], report.logs["model"]) if model == "mock/poor"]
    page = (tmp_path / "site5" / "runs" / f"{poor}.html").read_text()
    assert "No summary: the benchmark's <code>summarize</code> failed" in page and 'id="numbers"' not in page
    assert page.count('<pre class="output">') == 20 and "summary.csv" not in page and "samples.csv" in page
    benchmark = (tmp_path / "site5" / "benchmarks" / "toy.html").read_text()
    assert f'href="../runs/{poor}.html">mock/poor [n=20]</a>: toy_quiz v1 (no summary, 20 samples)' in benchmark
    assert "; model mock/poor; task" in page  # mock/poor has no model page (no headline rows): no link to one
    assert_links_resolve(tmp_path / "site5")


def test_figures_are_svg_and_a_failing_hook_is_reported(registered, site: Path, tmp_path: Path) -> None:
    svgs = list((site / "benchmarks" / "toy").glob("*.svg"))
    assert len(svgs) == 1 and svgs[0].read_text().lstrip().startswith("<?xml")
    assert "Accuracy by model" in (site / "benchmarks" / "toy.html").read_text()

    def broken(samples):  # type: ignore[no-untyped-def]
        raise ValueError("no data to draw")

    report = build_report(tmp_path / "logs", {"toy": replace(registered["toy"], plots=broken)})
    build_site(report, tmp_path / "site2")
    assert "toy: plots hook failed: ValueError: no data to draw" in (tmp_path / "site2" / "index.html").read_text()


def test_method_notes_take_intro_method_and_deviations_without_raw_html(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n\nIntro text.\n\n## Method\n\nWe ask <script>x()</script> **questions**.\n\n"
        "## Deviations\n\nNone, see [the data](../../datasets/x/README.md) and [the paper](https://example.org).\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n## Usage\n\n```\nrun it\n```\n"
    )
    notes = method_notes(str(readme))
    # tables render; a link into the repository keeps its text only, a web link stays
    assert "<table>" in notes and "<td>1</td>" in notes and "| --- |" not in notes and "|---|" not in notes
    assert "see the data and" in notes and "../../datasets" not in notes
    assert '<a href="https://example.org">the paper</a>' in notes
    assert "<p>Intro text.</p>" in notes and "<h2>Method</h2>" in notes and "<h2>Deviations</h2>" in notes
    assert "<strong>questions</strong>" in notes and "&lt;script&gt;" in notes and "<script>" not in notes
    assert "Usage" not in notes and "Title" not in notes
    assert method_notes(None) == "" and method_notes(str(tmp_path / "missing.md")) == ""


def test_only_our_script_may_run() -> None:
    digest = base64.b64encode(hashlib.sha256(SORT_JS.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in CSP and "default-src 'none'" in CSP
    assert slug("a/b") != slug("a_b") and slug("a/b") == slug("a/b")


def test_degenerate_runs_are_flagged_and_unranked_references_and_diagnostics_shown(
    registered, site: Path, tmp_path: Path
) -> None:
    """The benchmark's own rule flags mock/poor (2 of 20 right): the flag stands next to its model, it has no rank
    and no longer counts in the others' ranks; the reference rows and the diagnostic column are in the table."""
    import pandas as pd

    from reports.write import markdown_summary, write_report
    from twinbench.registry import Diagnostic

    def rule(summary: pd.DataFrame) -> str | None:
        accuracy = summary.set_index(["group", "metric"]).loc[("overall", "correct"), "value"]
        return "almost every answer wrong" if accuracy < 0.2 else None

    def references() -> pd.DataFrame:
        row = {"metric": "correct", "value": 1.0, "ci_low": 0.839, "ci_high": 1.0, "n": 20, "group": "overall"}
        by_parity = {**row, "group": "even"}  # not an overall row: not shown
        unlabelled = {**row, "metric": "speed"}  # no column holds it and it names no label: not shown
        rows = pd.DataFrame([row, {**row, "metric": "invalid", "value": 0.0}, by_parity, unlabelled])
        # a quantity no column holds, with a label of its own: listed under "Other references"
        people = {**row, "metric": "lie_rate", "value": 0.051, "ci_low": 0.031, "ci_high": 0.079, "n": 17289,
                  "label": "Messages labelled a lie", "reference": "players"}  # fmt: skip
        return pd.concat([rows.assign(reference="answer key"), pd.DataFrame([people])], ignore_index=True)

    toy = replace(
        registered["toy"],
        diagnostics=(Diagnostic("invalid", "Invalid answers"),),
        degenerate=rule,
        references=references,
    )
    report = build_report(tmp_path / "logs", {"toy": toy})
    assert dict(zip(report.headline["model"], report.headline["degenerate"])) == {
        "mock/good": "",
        "mock/half": "",
        "mock/poor": "almost every answer wrong",
    }
    build_site(report, tmp_path / "site4")
    index = (tmp_path / "site4" / "index.html").read_text()
    poor = re.search(r'<tr><td data-sort="mock/poor">.*?</tr>', index).group(0)
    assert '<span class="flag">⚠ degenerate</span><span class="flag-reason">almost every answer wrong</span>' in poor
    # accuracy ranks: good 1, half 2 (their CIs separate); poor none (it was "2" beside half before)
    ranks = re.findall(r'<td data-sort="(\d*)" class="num rank">', index)
    assert ranks[0::2] == ["1", "2", ""]  # poor's empty rank sorts last
    assert re.findall(r'class="num rank">([^<]*)</td>', poor) == ["–", "–"]
    assert "Invalid answers (diagnostic)" in index
    page = (tmp_path / "site4" / "benchmarks" / "toy.html").read_text()
    assert "<b>Invalid answers</b> (diagnostic, not ranked)" in page
    assert '<span class="reference">reference: answer key</span>' in index
    assert report.references[["reference", "metric", "label", "value"]].values.tolist() == [
        ["answer key", "correct", "Accuracy", 1.0],
        ["answer key", "invalid", "Invalid answers", 0.0],
        ["players", "lie_rate", "Messages labelled a lie", 0.051],
    ]
    other = page.split("<h2>Other references</h2>")[1].split("</table>")[0]
    assert "<td>players</td><td>Messages labelled a lie</td>" in other and "0.051" in other and "17289" in other
    assert "answer key" not in other and "reference: players" not in index
    summary = markdown_summary(report)
    assert "- **degenerate** (not ranked): mock/poor" in summary and "| answer key | Accuracy | 1.000 |" in summary
    # counts print whole even in a float column
    assert "| players | Messages labelled a lie | 0.051 | [0.031, 0.079] | 17289 |" in summary
    assert (tmp_path / "site4" / "data" / "references.csv").is_file()
    write_report(report, tmp_path / "report")
    assert "degenerate" in (tmp_path / "report" / "headline.csv").read_text().splitlines()[0]
