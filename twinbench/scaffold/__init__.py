"""``twinbench new NAME``: scaffold a pip-installable benchmark plugin from the templates in ``template/``.

The template tree is copied with ``package/`` renamed to ``twinbench_<name>/`` and ``NAME`` in file names replaced
by the benchmark name; ``*.tmpl`` files are filled in with :class:`string.Template` (``${name}``, ``${package}``,
``${dist}``, ``${title}``) and lose the suffix, other files are copied as they are.
"""

from __future__ import annotations

import keyword
import re
import shutil
from importlib.resources import as_file, files
from pathlib import Path
from string import Template

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")


class ScaffoldError(ValueError):
    pass


def check_name(name: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise ScaffoldError(
            f"benchmark name {name!r}: use 1-40 lowercase letters, digits and underscores, starting with a letter"
        )
    if keyword.iskeyword(name):  # the task function is named after the benchmark
        raise ScaffoldError(f"benchmark name {name!r} is a Python keyword: choose another")
    from twinbench.registry import load_benchmarks

    if name in load_benchmarks():
        raise ScaffoldError(f"benchmark name {name!r} is already registered")


def scaffold(name: str, out_dir: Path) -> Path:
    """Create ``out_dir/twinbench-<name>/`` (an installable package); returns its path."""
    check_name(name)
    values = {
        "name": name,
        "package": f"twinbench_{name}",
        "dist": f"twinbench-{name.replace('_', '-')}",
        "title": name.replace("_", " ").capitalize(),
    }
    root = Path(out_dir) / values["dist"]
    if root.exists():
        raise ScaffoldError(f"{root} already exists")
    with as_file(files("twinbench.scaffold").joinpath("template")) as template:
        for source in sorted(Path(template).rglob("*")):
            if source.is_dir() or "__pycache__" in source.parts:
                continue
            rel = source.relative_to(template).as_posix()
            rel = re.sub(r"^package/", f"{values['package']}/", rel).replace("NAME", name)
            target = root / rel.removesuffix(".tmpl")
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.suffix == ".tmpl":
                target.write_text(Template(source.read_text(encoding="utf-8")).substitute(values), encoding="utf-8")
            else:
                shutil.copyfile(source, target)
    return root
