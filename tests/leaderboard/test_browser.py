"""The leaderboard in headless Debian Chromium: tables, click-sorting, escaping (a planted ``<script>`` in model
output renders as text and never runs), figures, each run's page (every number it reported, filterable, and its
samples) reached from the index, its benchmark and its model page, and screenshots under ``build/``.

Chromium comes from ``scripts/ensure_chromium.sh``. Without it these tests skip locally but FAIL under CI
(``CI=true``), so a CI run cannot pass without having looked at the site in a browser.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from leaderboard.site import build_site, slug
from reports.tables import build_report
from tests.leaderboard.browser import Chromium, chromium_available
from tests.reports.helpers import doubling, run_toy

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "browser-test"
PLANTED = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
ROWS_JS = "[...document.querySelectorAll('{table} tbody tr')].map(r => r.cells[{col}].textContent.trim())"
# the absolute URLs of the run pages a table links ("numbers & samples")
RUN_PAGES_JS = (
    "[...document.querySelectorAll('{table} tbody a')].filter(a => a.textContent === 'numbers & samples')"
    ".map(a => a.href)"
)


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    if not chromium_available():
        message = "headless Chromium missing: run scripts/ensure_chromium.sh"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    with Chromium() as chromium:
        yield chromium


def file_path(url: str) -> Path:
    """The file of a ``file://`` URL."""
    assert url.startswith("file://"), url
    return Path(unquote(urlsplit(url).path))


def column(browser: Chromium, table: str, col: int) -> list[str]:
    return browser.evaluate(ROWS_JS.format(table=table, col=col))


def run_models(browser: Chromium, table: str) -> list[str]:
    """The model cells of a headline table's run rows, in page order, without reference rows or flag text."""
    cells = column(browser, table, 0)
    return [c.split(" ⚠")[0] for c in cells if not c.startswith("reference: ")]


def check_site(
    browser: Chromium, site: Path, benchmark: str, models: list[str], planted_model: str, screenshot: str
) -> None:
    """The checks every leaderboard must pass, whatever its benchmark."""
    table = f"#headline-{benchmark}"
    browser.open(site / "index.html")
    assert browser.evaluate(f"document.querySelectorAll('{table}').length") == 1
    assert sorted(run_models(browser, table)) == sorted(models)
    headers = browser.evaluate(f"[...document.querySelectorAll('{table} thead th')].map(h => h.textContent)")
    assert headers[:3] == ["Model", "Task", "Version"] and headers[-1] == "Run"

    # Sorting: click the first metric's header (ascending), again (descending), then the model column.
    # the run rows' values (reference rows stay below the runs whatever the order: checked after each click)
    runs = f"[...document.querySelectorAll('{table} tbody tr')].filter(r => !r.cells[0].querySelector('.reference'))"
    values = f"{runs}.map(r => r.cells[3].getAttribute('data-sort'))"
    refs_last = (
        f"(rows => rows.every((r, i) => !r.cells[0].querySelector('.reference') || "
        f"rows.slice(i).every(q => q.cells[0].querySelector('.reference'))))"
        f"([...document.querySelectorAll('{table} tbody tr')])"
    )
    browser.click(f"{table} thead th:nth-child(4)")
    ascending = [float(v) for v in browser.evaluate(values) if v]
    assert ascending == sorted(ascending) and browser.evaluate(refs_last)
    assert (
        browser.evaluate(f"document.querySelector('{table} thead th:nth-child(4)').getAttribute('aria-sort')")
        == "ascending"
    )
    browser.click(f"{table} thead th:nth-child(4)")
    descending = [float(v) for v in browser.evaluate(values) if v]
    assert descending == sorted(ascending, reverse=True) and browser.evaluate(refs_last)
    browser.click(f"{table} thead th:nth-child(1)")
    assert run_models(browser, table) == sorted(models)
    browser.screenshot(SCREENSHOTS / f"{screenshot}-index.png")
    assert browser.exceptions() == []

    # The model page links each of its runs' pages; the planted model's run page shows its output as text, and
    # nothing it carries ran.
    browser.open(site / "models" / f"{slug(planted_model)}.html")
    run_pages = browser.evaluate(RUN_PAGES_JS.format(table="#runs"))
    assert len(run_pages) == 1
    browser.screenshot(SCREENSHOTS / f"{screenshot}-model.png")
    assert browser.exceptions() == []
    browser.open(file_path(run_pages[0]))
    outputs = browser.evaluate("[...document.querySelectorAll('pre.output')].map(p => p.textContent)")
    assert PLANTED in outputs
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.evaluate("document.scripts.length") == 1  # our sorter only
    assert browser.evaluate("document.querySelectorAll('pre.output img, pre.output script').length") == 0
    assert browser.exceptions() == []

    browser.open(site / "benchmarks" / f"{benchmark}.html")
    sizes = browser.evaluate("[...document.images].map(i => i.complete && i.naturalWidth > 0)")
    assert sizes and all(sizes), "every figure loads from file://"
    # every run's numbers are a link away: from its headline row and from the "All reported numbers" list
    assert browser.evaluate("document.querySelectorAll('table[id^=\"numbers\"]').length") == 0
    listed = browser.evaluate("[...document.querySelectorAll('ul.runs a')].map(a => a.href)")
    assert sorted(listed) == sorted(browser.evaluate(RUN_PAGES_JS.format(table=f"#headline-{benchmark}")))
    assert len(listed) == len(models)
    browser.screenshot(SCREENSHOTS / f"{screenshot}-benchmark.png")

    # A run's page: its "all reported numbers" table filters by the words typed (every word, any column).
    browser.open(file_path(listed[0]))
    shown = (
        "(words => { const i = document.querySelector('input.filter'); i.value = words; "
        "i.dispatchEvent(new Event('input')); "
        "return [...document.querySelectorAll('#numbers tbody tr')].filter(r => !r.hidden).length; })"
    )
    total = browser.evaluate("document.querySelectorAll('#numbers tbody tr').length")
    overall = browser.evaluate(
        "[...document.querySelectorAll('#numbers tbody tr')]"
        ".filter(r => r.textContent.toLowerCase().includes('overall')).length"
    )
    assert 0 < browser.evaluate(f"{shown}('OVERALL')") == overall < total
    assert browser.evaluate(f"{shown}('overall no-such-word')") == 0
    assert browser.evaluate(f"{shown}('')") == total
    assert browser.evaluate("document.querySelectorAll('pre.output').length") > 0  # its samples
    # Wide tables scroll inside their box: the page itself is no wider than the window.
    assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    browser.screenshot(SCREENSHOTS / f"{screenshot}-run.png")
    assert browser.exceptions() == []


def test_leaderboard_in_headless_chromium(registered, browser: Chromium, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    run_toy(logs, "good", doubling(lambda i: True), n=20)
    run_toy(logs, "half", doubling(lambda i: i % 2 == 0, wrong=PLANTED), n=20)
    run_toy(logs, "poor", doubling(lambda i: i < 2), n=20)
    build_site(build_report(logs, registered), tmp_path / "site")

    check_site(browser, tmp_path / "site", "toy", ["mock/good", "mock/half", "mock/poor"], "mock/half", "mock")
    # The title's markup shows as text.
    browser.open(tmp_path / "site" / "index.html")
    assert browser.evaluate("document.querySelector('h2 a').textContent") == "Toy doubling quiz <b>not bold</b>"
    assert browser.evaluate("document.querySelectorAll('h2 b').length") == 0
    assert (SCREENSHOTS / "mock-index.png").stat().st_size > 10_000

    # A run the benchmark's rule flags shows the flag beside its model; reference rows end the table.
    import pandas as pd

    from twinbench.registry import Diagnostic

    def references() -> pd.DataFrame:
        return pd.DataFrame([{"metric": "correct", "value": 1.0, "ci_low": 0.839, "ci_high": 1.0, "n": 20,
                              "group": "overall", "reference": "answer key"}])  # fmt: skip

    toy = replace(
        registered["toy"],
        diagnostics=(Diagnostic("invalid", "Invalid answers"),),
        degenerate=lambda summary: "mostly wrong" if summary["value"].iloc[0] < 0.2 else None,
        references=references,
    )
    build_site(build_report(logs, {"toy": toy}), tmp_path / "flagged")
    browser.open(tmp_path / "flagged" / "index.html")
    flags = browser.evaluate(
        "[...document.querySelectorAll('#headline-toy .flag')].map(f => [f.closest('tr').cells[0].textContent, "
        "getComputedStyle(f).display !== 'none' && f.offsetWidth > 0])"
    )
    assert flags == [["mock/poor ⚠ degeneratemostly wrong", True]]
    assert column(browser, "#headline-toy", 0)[-1] == "reference: answer key"
    # Sorting keeps the reference rows below the runs ("~" would sort first under the browser's collation) and the
    # flagged run's empty rank last, in both directions.
    headers = browser.evaluate("[...document.querySelectorAll('#headline-toy thead th')].map(h => h.textContent)")
    rank = headers.index(next(h for h in headers if h.startswith("Rank"))) + 1
    for header in (1, 1, rank, rank):
        browser.click(f"#headline-toy thead th:nth-child({header})")
        models = column(browser, "#headline-toy", 0)
        assert models[-1] == "reference: answer key", (header, models)
        if header == rank:
            assert models[-2].startswith("mock/poor"), models
    assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    browser.screenshot(SCREENSHOTS / "mock-flagged-index.png")
    assert browser.exceptions() == []


def test_model_roles_and_across_runs_in_headless_chromium(registered, browser: Chromium, tmp_path: Path) -> None:
    """Runs of one model against two opponents: two rows labelled by their roles, and the benchmark page's
    across-runs table (sortable like the others)."""
    logs = tmp_path / "logs"
    run_toy(logs, "a", doubling(lambda i: i % 2 == 0), roles={"opponent": ("o", doubling(lambda i: i < 3))})
    run_toy(logs, "a", doubling(lambda i: i % 2 == 0), roles={"opponent": ("p", PLANTED)})
    build_site(build_report(logs, registered), tmp_path / "site")

    browser.open(tmp_path / "site" / "index.html")
    assert column(browser, "#headline-toy", 0) == ["mock/a opponent=mock/o", f"mock/a opponent=mock/p (text={PLANTED})"]
    assert browser.evaluate("typeof window.__pwned") == "undefined"  # a role's args are text too
    browser.open(tmp_path / "site" / "benchmarks" / "toy.html")
    assert column(browser, "#across-toy", 1) == ["mock/a vs mock/o", "mock/a vs mock/p", "mock/a vs all (2)"]
    browser.click("#across-toy thead th:nth-child(4)")  # Value, ascending: 0.3, 0.4, 0.5
    assert column(browser, "#across-toy", 3) == ["0.300", "0.400", "0.500"]
    browser.screenshot(SCREENSHOTS / "roles-benchmark.png")
    assert browser.exceptions() == []


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_leaderboard_of_a_real_embedded_model_run(browser: Chromium, tmp_path: Path) -> None:
    """A real `twinbench run` on local/smollm2-135m (one survey question), plus a mock run whose output carries a
    planted script, through the real CLI and registry, opened in Chromium."""
    logs, site = tmp_path / "logs", tmp_path / "site"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "twinbench.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=840
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        return result

    cli(
        "run",
        "survey",
        "-T",
        "max_items=1",
        "--model",
        "local/smollm2-135m",
        "--log-dir",
        str(logs / "embedded"),
        "--display",
        "none",
    )
    cli(
        "run",
        "survey",
        "-T",
        "max_items=1",
        "--model",
        "mock/planted",
        "-M",
        f"text={PLANTED}",
        "--log-dir",
        str(logs / "mock"),
        "--display",
        "none",
    )  # two folders: reports read recursively
    out = cli("leaderboard", str(logs), "-o", str(site)).stdout
    assert "leaderboard of 2 log(s)" in out
    check_site(browser, site, "survey", ["local/smollm2-135m", "mock/planted"], "mock/planted", "embedded")
