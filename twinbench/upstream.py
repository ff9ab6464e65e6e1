"""Read-only access to the files of an upstream repository, for the scripts that build shipped data extracts
(``benchmarks/<name>/build_*.py``): a bare git directory (what the ``fetch`` tool and ``git clone --bare`` give), a
checkout, or a plain folder. Files are read at ``HEAD``; the revision and its date go into the dataset cards."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


def rounded(value: Any, decimals: int) -> Any:
    """``value`` with every float in it (in dicts, lists, tuples) rounded to ``decimals``, dict keys as text: derived
    statistics written to JSON the same on every machine."""
    if isinstance(value, float):
        return round(value, decimals)
    if isinstance(value, dict):
        return {str(k): rounded(v, decimals) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v, decimals) for v in value]
    return value


class UpstreamError(ValueError):
    """An upstream copy that is not there: one line naming the path."""


class Upstream:
    def __init__(self, path: Path, label: str) -> None:
        self.path = Path(path)
        self.label = label
        if not self.path.is_dir():
            raise UpstreamError(f"{path}: {label} source not found (give a git directory, checkout or folder)")
        self.git_dir: Path | None = None
        if (self.path / "HEAD").is_file() and (self.path / "objects").is_dir():
            self.git_dir = self.path
        elif (self.path / ".git").exists():
            self.git_dir = self.path / ".git"

    def _git(self, *args: str) -> str:
        assert self.git_dir is not None
        return subprocess.run(
            ["git", "--git-dir", str(self.git_dir), *args], check=True, capture_output=True, text=True
        ).stdout

    @property
    def revision(self) -> str:
        return self._git("rev-parse", "HEAD").strip() if self.git_dir else "unversioned"

    @property
    def commit_date(self) -> str | None:
        return self._git("log", "-1", "--format=%cs", "HEAD").strip() if self.git_dir else None

    def names(self, prefix: str) -> list[str]:
        """Every file under ``prefix``, sorted."""
        if self.git_dir:
            return sorted(self._git("ls-tree", "-r", "--name-only", "HEAD", prefix).split("\n")[:-1])
        root = self.path / prefix
        return sorted(p.relative_to(self.path).as_posix() for p in root.rglob("*") if p.is_file())

    def read(self, names: Sequence[str]) -> Iterator[tuple[str, bytes | None]]:
        """(name, content) for each name, through one ``git cat-file --batch``; content None when the file is absent
        (not in the tree, or a large file missing from a partial snapshot)."""
        if not self.git_dir:
            for name in names:
                file = self.path / name
                yield name, file.read_bytes() if file.is_file() else None
            return
        with subprocess.Popen(
            ["git", "--git-dir", str(self.git_dir), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        ) as proc:
            assert proc.stdin is not None and proc.stdout is not None
            for name in names:
                proc.stdin.write(f"HEAD:{name}\n".encode())
                proc.stdin.flush()
                header = proc.stdout.readline().split()
                if len(header) < 3 or header[1] != b"blob":
                    yield name, None
                    continue
                data = proc.stdout.read(int(header[2]))
                proc.stdout.read(1)  # the newline after each object
                yield name, data
            proc.stdin.close()

    def read_file(self, name: str) -> bytes | None:
        """One file's content (None when absent)."""
        return next(iter(self.read([name])))[1]
