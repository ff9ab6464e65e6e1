"""Small HTML building blocks. Every piece of text goes through :func:`esc`; only these helpers emit markup."""

from __future__ import annotations

import base64
import hashlib
import html
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

STYLE = files("leaderboard").joinpath("static/style.css").read_text(encoding="utf-8")
SORT_JS = files("leaderboard").joinpath("static/sort.js").read_text(encoding="utf-8")
# Only our own inline script may run (its hash), so even text that escaped escaping could not execute script.
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SORT_JS.encode("utf-8")).digest()).decode("ascii")
ASSETS = hashlib.sha256((STYLE + SORT_JS).encode("utf-8")).hexdigest()  # in every cached page's key
CSP = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_SCRIPT_HASH}'; img-src 'self' file: data:"


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


class Markup(str):
    """HTML we built ourselves (never model or user text): passed through :func:`cell` unescaped."""


def link(href: str, text: object) -> Markup:
    return Markup(f'<a href="{esc(href)}">{esc(text)}</a>')


@cache  # a page links the same few targets many times (a model page per table row)
def _relative_url(target: str, from_dir: str) -> str:
    return quote(os.path.relpath(target, from_dir).replace(os.sep, "/"))


def relative_url(target: str | Path, from_dir: str | Path) -> str:
    """A relative URL from a page's folder to a file, so the site works from ``file://`` and when moved whole."""
    return _relative_url(str(target), str(from_dir))


def is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))  # NaN, pd.NA
    except TypeError:
        return True


@dataclass
class Cell:
    content: str  # HTML
    sort: str | None = None  # data-sort value
    css: str = ""


def cell(value: object, sort: object | None = None, css: str = "") -> Cell:
    content = value if isinstance(value, Markup) else esc(value)
    sort_text = None if sort is None else ("" if is_missing(sort) else str(sort))
    return Cell(content, sort_text, css)


def table(headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, sortable: bool = True, css_id: str = "") -> str:
    return table_html(headers, table_rows(rows), sortable=sortable, css_id=css_id)


def table_rows(rows: Iterable[Sequence[Cell]]) -> Markup:
    """The ``<tr>`` elements of a table body (a page may keep them, e.g. one run's rows, and join them later)."""
    body = []
    for row in rows:
        cells = []
        for c in row:
            attrs = ""
            if c.sort is not None:
                attrs += f' data-sort="{esc(c.sort)}"'
            if c.css:
                attrs += f' class="{esc(c.css)}"'
            cells.append(f"<td{attrs}>{c.content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return Markup("".join(body))


def table_html(headers: Sequence[str], body: Markup, *, sortable: bool = True, css_id: str = "") -> str:
    """A table around body rows made by :func:`table_rows`."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    classes = ' class="sortable"' if sortable else ""
    ident = f' id="{esc(css_id)}"' if css_id else ""
    # wide tables scroll inside their box, not the page
    return (
        f'<div class="table-wrap"><table{classes}{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        "</table></div>"
    )


def page(title: str, body: str, *, root: str) -> str:
    """A whole page; ``root`` is the relative URL of the site's root folder from this page ("." or "..")."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<nav><a href="{esc(root)}/index.html">twinbench leaderboard</a></nav>
{body}
<script>{SORT_JS}</script>
</body>
</html>
"""
