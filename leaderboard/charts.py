"""A small SVG chart kit for the per-run figures (``run_plots`` hooks): panels with linear axes, points with error
bars, bars, lines, text and legends, written straight to SVG text.

Why not matplotlib: a figure per run costs 0.4-0.6 s of CPU in matplotlib (most of it laying out and writing text),
which made figures the largest cost of a 200-log leaderboard (leaderboard/README.md); these take milliseconds. The
output is deterministic (same data, same bytes) and text stays text (the browser's sans-serif). Sizes are pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

FONT = 11  # px, tick labels and text; titles one px larger

_ATTRIBUTE_ESCAPES = {'"': "&quot;"}


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _attrs(**attrs: object) -> str:
    """``key="value"`` pairs (``stroke_width`` -> ``stroke-width``), ``None`` values left out."""
    return " ".join(
        f'{k.replace("_", "-")}="{escape(_number(v) if isinstance(v, float) else str(v), _ATTRIBUTE_ESCAPES)}"'
        for k, v in attrs.items()
        if v is not None
    )


def nice_ticks(low: float, high: float, target: int = 6) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) covering [low, high], about ``target`` of them."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / max(1, target - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9)
    ticks = [round(k * step, 10) for k in range(first, math.floor(high / step + 1e-9) + 1)]
    return [0.0 if t == 0 else t for t in ticks]  # never "-0"


def tick_label(value: float) -> str:
    return f"{value:g}"


@dataclass
class Panel:
    """A plotting area at (left, top) of ``width`` x ``height`` px in its chart, mapping data limits ``xlim`` and
    ``ylim`` linearly (y up). Draw calls take data coordinates and append SVG elements."""

    left: float
    top: float
    width: float
    height: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    parts: list[str] = field(default_factory=list)

    def x(self, value: float) -> float:
        low, high = self.xlim
        return self.left + (value - low) / (high - low) * self.width

    def y(self, value: float) -> float:
        low, high = self.ylim
        return self.top + self.height - (value - low) / (high - low) * self.height

    def line(self, x0: float, y0: float, x1: float, y1: float, color: str = "#888", width: float = 1.0,
             dash: str | None = None) -> None:  # fmt: skip
        self.parts.append(
            f"<line {_attrs(x1=self.x(x0), y1=self.y(y0), x2=self.x(x1), y2=self.y(y1), stroke=color, stroke_width=width, stroke_dasharray=dash)}/>"  # noqa: E501
        )

    def hline(self, y: float, **style: object) -> None:
        self.line(self.xlim[0], y, self.xlim[1], y, **style)  # type: ignore[arg-type]

    def vline(self, x: float, **style: object) -> None:
        self.line(x, self.ylim[0], x, self.ylim[1], **style)  # type: ignore[arg-type]

    def bar(self, x: float, width: float, height: float, color: str) -> None:
        """A bar from 0 to ``height`` centred at ``x``, ``width`` in data units."""
        top, bottom = sorted((self.y(height), self.y(0)))
        self.parts.append(
            f"<rect {_attrs(x=self.x(x - width / 2), y=top, width=self.x(x + width / 2) - self.x(x - width / 2), height=bottom - top, fill=color)}/>"  # noqa: E501
        )

    def point(self, x: float, y: float, color: str, marker: str = "o", size: float = 3.5) -> None:
        """A marker (:func:`_marker`) at a data point."""
        self.parts.append(_marker(self.x(x), self.y(y), color, marker, size))

    def errorbar(self, x: float, y: float, color: str, *, x_ci: tuple[float, float] | None = None,
                 y_ci: tuple[float, float] | None = None, cap: float = 3.0) -> None:  # fmt: skip
        """A point with its CI along x and/or y (bounds in data units; NaN bounds are not drawn)."""
        for ci, horizontal in ((x_ci, True), (y_ci, False)):
            if ci is None or not all(math.isfinite(v) for v in ci):
                continue
            if horizontal:
                a, b, at = self.x(ci[0]), self.x(ci[1]), self.y(y)
                segments = [(a, at, b, at), (a, at - cap, a, at + cap), (b, at - cap, b, at + cap)]
            else:
                a, b, at = self.y(ci[0]), self.y(ci[1]), self.x(x)
                segments = [(at, a, at, b), (at - cap, a, at + cap, a), (at - cap, b, at + cap, b)]
            for x1, y1, x2, y2 in segments:
                self.parts.append(f"<line {_attrs(x1=x1, y1=y1, x2=x2, y2=y2, stroke=color, stroke_width=1.2)}/>")
        self.point(x, y, color)

    def text(self, x: float, y: float, text: str, *, dx: float = 0, dy: float = 0, anchor: str = "start",
             size: float = FONT, color: str = "#222") -> None:  # fmt: skip
        """Text at a data point, offset by (dx, dy) px (dy down)."""
        self.parts.append(_text(self.x(x) + dx, self.y(y) + dy, text, anchor=anchor, size=size, color=color))

    def labels(self, items: Sequence[tuple[float, float, str, str]], size: float = 10) -> None:
        """Labels ``(x, y, text, color)`` beside their points, each moved up or down in steps of a line until it
        overlaps no label placed before it (labels of nearby points would pile up)."""
        placed: list[tuple[float, float, float, float]] = []
        for x, y, text, color in items:
            px, py, width = self.x(x) + 5, self.y(y) - 5, len(text) * size * 0.58
            for step in (0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5):
                top = py + step * (size + 2) - size
                box = (px, px + width, top, top + size + 2)
                if not any(a < box[1] and box[0] < b and c < box[3] and box[2] < d for a, b, c, d in placed):
                    break
            placed.append(box)
            self.parts.append(_text(px, box[3] - 2, text, size=size, color=color))

    def axes(self, *, xticks: Sequence[float] | None = None, yticks: Sequence[float] | None = None,
             xlabels: Sequence[str] | None = None, ylabels: Sequence[str] | None = None, rotate_x: bool = False,
             xlabel: str = "", ylabel: str = "", title: str = "") -> None:  # fmt: skip
        """The frame, ticks with labels (given, or the tick values), axis labels and a title (lines split on
        ``\\n``). ``rotate_x`` slants the x labels by 45 degrees (long category names)."""
        box = _attrs(x=self.left, y=self.top, width=self.width, height=self.height, fill="none", stroke="#444")
        self.parts.append(f"<rect {box}/>")
        bottom = self.top + self.height
        xticks = nice_ticks(*self.xlim) if xticks is None else list(xticks)
        for i, value in enumerate(xticks):
            px = self.x(value)
            label = xlabels[i] if xlabels is not None else tick_label(value)
            self.parts.append(f"<line {_attrs(x1=px, y1=bottom, x2=px, y2=bottom + 4, stroke='#444')}/>")
            if rotate_x:
                self.parts.append(_text(px + 3, bottom + 10, label, anchor="end", rotate=-45, size=FONT - 1))
            else:
                self.parts.append(_text(px, bottom + 15, label, anchor="middle"))
        yticks = nice_ticks(*self.ylim) if yticks is None else list(yticks)
        for i, value in enumerate(yticks):
            py = self.y(value)
            label = ylabels[i] if ylabels is not None else tick_label(value)
            self.parts.append(f"<line {_attrs(x1=self.left - 4, y1=py, x2=self.left, y2=py, stroke='#444')}/>")
            self.parts.append(_text(self.left - 6, py + 4, label, anchor="end"))
        if xlabel:
            drop = 80 if rotate_x else 32
            self.parts.append(_text(self.left + self.width / 2, bottom + drop, xlabel, anchor="middle"))
        if ylabel:
            px, py = self.left - 40, self.top + self.height / 2
            self.parts.append(_text(px, py, ylabel, anchor="middle", rotate=-90))
        lines = title.split("\n") if title else []
        for i, line in enumerate(lines):
            py = self.top - 8 - (len(lines) - 1 - i) * (FONT + 3)
            self.parts.append(_text(self.left + self.width / 2, py, line, anchor="middle", size=FONT + 1))

    def legend(self, entries: Sequence[tuple[str, str, str]], corner: str = "upper left") -> None:
        """A boxed legend of ``(label, marker, color)`` in a corner of the panel; marker ``bar``, ``dash`` or a
        :meth:`point` marker."""
        if not entries:
            return
        row, width = FONT + 5, 26 + max(len(label) for label, _, _ in entries) * FONT * 0.55
        height = row * len(entries) + 6
        left = self.left + 6 if "left" in corner else self.left + self.width - width - 6
        top = self.top + 6 if "upper" in corner else self.top + self.height - height - 6
        box = _attrs(x=left, y=top, width=width, height=height, fill="white", fill_opacity=0.85, stroke="#ccc")
        self.parts.append(f"<rect {box}/>")
        for i, (label, marker, color) in enumerate(entries):
            cy = top + 3 + row * i + row / 2
            if marker == "bar":
                self.parts.append(f"<rect {_attrs(x=left + 6, y=cy - 4, width=12, height=8, fill=color)}/>")
            elif marker == "dash":
                self.parts.append(
                    f"<line {_attrs(x1=left + 4, y1=cy, x2=left + 20, y2=cy, stroke=color, stroke_dasharray='4 3')}/>"
                )
            else:
                self.parts.append(_marker(left + 12, cy, color, marker, 3.5))
            self.parts.append(_text(left + 24, cy + 4, label))


def _marker(px: float, py: float, color: str, marker: str, r: float) -> str:
    """``o`` circle, ``s`` square, ``^`` / ``v`` triangles, ``D`` diamond (anything else a square) at (px, py)."""
    if marker == "o":
        return f"<circle {_attrs(cx=px, cy=py, r=r, fill=color)}/>"
    shapes = {
        "s": [(-r, -r), (r, -r), (r, r), (-r, r)],
        "^": [(0, -r), (r, r), (-r, r)],
        "v": [(0, r), (r, -r), (-r, -r)],
        "D": [(0, -r * 1.3), (r, 0), (0, r * 1.3), (-r, 0)],
    }
    points = " ".join(f"{_number(px + dx)},{_number(py + dy)}" for dx, dy in shapes.get(marker, shapes["s"]))
    return f"<polygon {_attrs(points=points, fill=color)}/>"


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: float = FONT, color: str = "#222",
          rotate: float | None = None) -> str:  # fmt: skip
    transform = f"rotate({_number(rotate)} {_number(x)} {_number(y)})" if rotate else None
    attrs = _attrs(x=x, y=y, font_size=size, text_anchor=anchor, fill=color, transform=transform)
    return f"<text {attrs}>{escape(text)}</text>"


@dataclass
class Chart:
    """An SVG document of ``width`` x ``height`` px holding panels and free text."""

    width: float
    height: float
    panels: list[Panel] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    def panel(self, left: float, top: float, width: float, height: float, xlim: tuple[float, float],
              ylim: tuple[float, float]) -> Panel:  # fmt: skip
        made = Panel(left, top, width, height, xlim, ylim)
        self.panels.append(made)
        return made

    def text(self, x: float, y: float, text: str, **style: object) -> None:
        self.parts.append(_text(x, y, text, **style))  # type: ignore[arg-type]

    def svg(self) -> str:
        body = "\n".join(part for p in self.panels for part in p.parts) + "\n" + "\n".join(self.parts)
        head = _attrs(
            xmlns="http://www.w3.org/2000/svg",
            width=f"{_number(self.width)}pt",
            height=f"{_number(self.height)}pt",
            viewBox=f"0 0 {_number(self.width)} {_number(self.height)}",
            font_family="sans-serif",
        )
        return f'<?xml version="1.0" encoding="utf-8"?>\n<svg {head}>\n<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n'  # noqa: E501
