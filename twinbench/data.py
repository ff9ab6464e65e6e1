"""The one place that knows where the project's data files are: ``data_path("deference", "capitals.jsonl")``.

The repository keeps them in ``datasets/`` at its root (data files and dataset cards, no Python). A wheel ships the
same files as package data under ``twinbench/datasets/`` (``pyproject.toml`` maps the folder there), so they are
found in three set-ups without configuration:

* installed from a wheel or ``pip install .``: ``<site-packages>/twinbench/datasets/``;
* a source checkout (``pip install -e .``, or running from the repository root): ``<repository>/datasets/``;
* a wheel installed while working in a checkout: the wheel's copy (the code that runs is the wheel's too).

A missing file is a :class:`DataFileMissing` whose message is one line naming the file, where it was looked for and
how to get it back. Code reads a shipped file through :func:`data_path`, never through ``__file__`` arithmetic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE_DATA = _PACKAGE_DIR / "datasets"  # where a wheel puts the repository's datasets/


class DataFileMissing(FileNotFoundError):
    """A data file the code needs is not where the installation should have put it."""


def checkout_root() -> Path | None:
    """The repository root when twinbench is imported from a source checkout, else None (an installed wheel:
    there the folder above the package is site-packages, whose ``datasets/`` is Hugging Face's package)."""
    root = _PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else None


def checkout_dataset_dir(name: str) -> Path | None:
    """Where a data build writes by default: the checkout's ``datasets/<name>`` (the repository's files); None in an
    installed wheel, where a build needs ``--out``."""
    root = checkout_root()
    return root / "datasets" / name if root is not None else None


def data_roots() -> list[Path]:
    """The folders searched, in order: the wheel's package data, then a checkout's ``datasets/``."""
    roots = [PACKAGE_DATA]
    root = checkout_root()
    if root is not None:
        roots.append(root / "datasets")
    return roots


def data_path(*parts: str) -> Path:
    """The path of a shipped data file or folder, given relative to ``datasets/``: ``data_path("survey",
    "carData_WVS.md")`` or ``data_path("datasets/survey/carData_WVS.md")``. Raises :class:`DataFileMissing`."""
    rel = PurePosixPath(*parts)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ValueError(f"data_path takes a path inside datasets/, got {rel.as_posix()!r}")
    if rel.parts[0] == "datasets":  # a repository-relative path, as dataset cards are recorded
        rel = PurePosixPath(*rel.parts[1:])
    roots = data_roots()
    for root in roots:
        candidate = root.joinpath(*rel.parts)
        if candidate.exists():
            return candidate
    where = ", ".join(str(r) for r in roots)
    raise DataFileMissing(
        f"twinbench data file datasets/{rel.as_posix()} is missing (looked in {where}); reinstall twinbench "
        f"(pip install --force-reinstall twinbench, or pip install . in the repository), or in a source checkout "
        f"restore it with: git checkout -- datasets/{rel.as_posix()}"
    )


def jsonl_records(lines: Iterable[str], where: str, error: type[Exception]) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for each non-blank line of a JSONL text (``lines`` may be a file handle: read as it
    streams); a line that is not JSON raises ``error`` with one line naming ``where:line``."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            raise error(f"{where}:{number}: not valid JSON ({err.msg})") from None
        yield number, value
