"""The files of a built site, written only when their content changes, so that a rebuild after one new log rewrites
only what that log changes, and a rebuild with no change rewrites nothing (a file's mtime says when its content last
changed).

``SITE/.twinbench-site.json`` (the manifest) records, for every file a build made, a digest of what it was made
from (its *key*: a page's text with its cached fragments as markers, a model page's runs with their ranks, a run's
page and data by its log hash; the content's own digest where nothing cheaper names it), the SHA-256 of its bytes
and its size, mtime and inode. A file whose key is the one recorded and that is untouched since is neither made nor
written; one made again with the same bytes is not written either. Files of the site's own folders that a build no
longer makes are removed, files put there by hand too (they are named). A file that differs from what the last
build wrote (edited or deleted by hand) is made again and named; one touched with its bytes unchanged is not
written. With ``verify`` (``--no-cache``) files are compared by their bytes, not by size, mtime and inode.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

MANIFEST = ".twinbench-site.json"
_FORMAT = 1


def digest(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


class SiteFiles:
    """Writes the files of the site at ``root`` (paths relative to it, with ``/``); :meth:`finish` removes those of
    ``owned`` folders that this build did not make and saves the manifest."""

    def __init__(self, root: Path, owned: tuple[str, ...], *, verify: bool = False) -> None:
        self.root = root
        self.owned = owned
        self.verify = verify  # compare files by their bytes, not by size, mtime and inode
        self.restored: list[str] = []  # files made again because they were not what the last build wrote
        self.foreign: list[str] = []  # files of the owned folders that no build made, removed
        try:
            stored = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
            self.known: dict[str, list[Any]] = stored["files"] if stored.get("format") == _FORMAT else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):  # a first build, or not ours
            self.known = {}
        self.made: dict[str, list[Any]] = {}  # this build's files: [key, sha256, size, mtime_ns, inode]
        self.written: list[str] = []  # the files this build wrote, in order

    def current(self, path: str, key: str) -> bool:
        """Whether the file was made from ``key`` last time and is untouched since (then it is kept as it is)."""
        entry = self.known.get(path)
        if entry is None or entry[0] != key or not self._untouched(path, entry):
            return False
        self.made[path] = [*entry[:2], *_state(self.root / path)] if self.verify else entry  # verify: maybe touched
        return True

    def current_folder(self, folder: str, key: str) -> bool:
        """Whether every file the last build made under ``folder`` (a path ending in ``/``) was made from ``key``
        and is untouched since (then all are kept as they are)."""
        inside = {path: entry for path, entry in self.known.items() if path.startswith(folder)}
        if not all(entry[0] == key and self._untouched(path, entry) for path, entry in inside.items()):
            return False
        self.made.update(inside)
        return True

    def write(self, path: str, data: str | bytes, key: str | None = None) -> None:
        """Write the file unless it holds these bytes already; ``key`` (default: the bytes' digest) is recorded."""
        data = data.encode("utf-8") if isinstance(data, str) else data
        sha = digest(data)
        entry = self.known.get(path)
        target = self.root / path
        if entry is None or entry[1] != sha or not self._untouched(path, entry):
            if entry is not None and entry[1] == sha and _sha256(target) == sha:  # touched, bytes unchanged
                entry = [None, sha, *_state(target)]
            else:
                if entry is not None and entry[1] == sha:  # the last build wrote these bytes: changed by hand since
                    self.restored.append(path)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                self.written.append(path)
                entry = [None, sha, *_state(target)]
        self.made[path] = [key or sha, *entry[1:]]

    def finish(self) -> None:
        """Remove the owned folders' files this build did not make (a run or model no longer there), then save the
        manifest when it changed."""
        for folder in self.owned:
            for parent, _, names in os.walk(self.root / folder, topdown=False):
                prefix = Path(parent).relative_to(self.root).as_posix()
                stale = [name for name in names if f"{prefix}/{name}" not in self.made]
                for name in stale:
                    if f"{prefix}/{name}" not in self.known:
                        self.foreign.append(f"{prefix}/{name}")
                    os.unlink(os.path.join(parent, name))
                if len(stale) == len(names) and not os.listdir(parent):  # a folder left empty (a run gone)
                    os.rmdir(parent)
        if self.made != self.known:
            (self.root / MANIFEST).write_text(json.dumps({"format": _FORMAT, "files": self.made}), encoding="utf-8")

    def _untouched(self, path: str, entry: list[Any]) -> bool:
        """Whether the file is as the last build left it: same size, mtime and inode (same bytes with ``verify``)."""
        if self.verify:
            return _sha256(self.root / path) == entry[1]
        try:
            return _state(self.root / path) == entry[2:]
        except OSError:
            return False


def _sha256(path: Path) -> str | None:
    """The SHA-256 of a file's bytes; None when it cannot be read."""
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


def _state(path: Path) -> list[int]:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns, st.st_ino]
