import math
import xml.etree.ElementTree as ET

import pytest

from leaderboard.charts import Chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (-100, 100, [-100, -50, 0, 50, 100]),
        (-0.04, 1.04, [0, 0.5, 1]),
        (-7.5, 7.5, [-5, 0, 5]),
        (3, 3, [3]),
        (math.nan, 1, []),
    ],
)
def test_nice_ticks(low, high, ticks):
    assert nice_ticks(low, high) == ticks
    assert all(str(t) != "-0.0" for t in nice_ticks(low, high))


def test_panel_maps_data_to_pixels_and_escapes_text():
    chart = Chart(200, 100)
    ax = chart.panel(20, 10, 160, 80, (0, 1), (-1, 1))
    assert (ax.x(0), ax.x(1), ax.x(0.25)) == (20, 180, 60)
    assert (ax.y(1), ax.y(-1), ax.y(0)) == (10, 90, 50)  # y up
    ax.bar(0.5, 0.2, 0.5, "#123456")
    ax.errorbar(0.5, 0, "#000", x_ci=(0.25, 0.75), y_ci=(math.nan, 1))  # a NaN bound: that bar is not drawn
    ax.text(0.5, 0, '<script>&"x"')
    ax.axes(title="a\nb", xlabel="x [pp]")
    svg = chart.svg()
    root = ET.fromstring(svg.split("\n", 1)[1])  # parses: text is escaped
    bar = next(r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#123456")
    assert (bar.get("x"), bar.get("y"), bar.get("width"), bar.get("height")) == ("84", "30", "32", "20")
    lines = [(ln.get("x1"), ln.get("x2")) for ln in root.iter(f"{SVG}line") if ln.get("stroke") == "#000"]
    assert ("60", "140") in lines and len(lines) == 3  # the x CI with its two caps, no y CI
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert '<script>&"x"' in texts and "a" in texts and "b" in texts and "x [pp]" in texts
    assert chart.svg() == svg  # deterministic


def test_labels_of_one_point_do_not_overlap():
    chart = Chart(300, 300)
    ax = chart.panel(0, 0, 300, 300, (0, 1), (0, 1))
    ax.labels([(0.5, 0.5, name, "#000") for name in ("alpha", "beta", "gamma")])
    ys = sorted(float(t.get("y")) for t in ET.fromstring(chart.svg().split("\n", 1)[1]).iter(f"{SVG}text"))
    assert all(b - a >= 12 for a, b in zip(ys, ys[1:]))
