"""On-disk cache of what a report computes from one log, so that a rebuilt report or site only works on new logs.

``twinbench report`` and ``twinbench leaderboard`` work out these per log: what a report uses of its header
(``header``, a ``reports.logs.LogHeader``), its per-sample frame (``samples``) and how many rows it has (``scored``:
a rebuild needs the count of every run but the samples of new runs only), its benchmark's ``summarize`` table
(``summary``) and what every build uses of it (``outline``, a ``reports.tables.Outline``: its overall rows, size and
columns), the reason its ``degenerate`` rule gives ("" for none: ``degenerate``) and the SVG text of its
``run_plots`` figures (``figures``); the leaderboard also keeps each benchmark's method notes rendered from its
README (``html``, under the README's hash instead of a log's), once per benchmark its ``references`` rows
(under the log hash "references": they depend on the code alone), and each benchmark's ``summarize_runs`` rows
(``across``, under a digest of its runs' log paths and hashes). Each is stored under
``<cache dir>/<kind>/<log hash>-<code fingerprint>.pkl``; the small entries every rebuild loads for every run
(:data:`PACKED`: header, scored count, outline, degenerate reason) are also kept together in one *pack* per log
folder (``packs/``, the entries its last report used), so that a rebuild of 200 runs opens one file, not 800:

* the **log hash** is the SHA-256 of the log file's bytes: a log that changed (a rerun written over it, an edit) is a
  new key; a copy or a move of a log is the same one. Hashes are remembered in ``<cache dir>/log-hashes.json`` by
  the file's path, size, modification and change times and inode (as git's index does), so a rebuild does not read
  every unchanged log to hash it; a file changed within the last seconds is not remembered (its times may not show
  a second change);
* the **code fingerprint** (:func:`code_fingerprint`) hashes what the result depends on besides the log: this cache
  format (:data:`CACHE_FORMAT`), the benchmark's name and version, the Python, numpy, pandas, scipy, statsmodels,
  matplotlib and inspect versions, and the source files of ``reports/``, ``scorers/``, ``leaderboard/``,
  ``twinbench/registry.py`` and of the package that defines each of the benchmark's hooks. Editing a
  ``summarize`` (or anything it imports from the suite) without bumping a version still gives a new fingerprint.
  Data files a hook reads are not hashed: bump the benchmark's version when they change what it returns.
  A header, read before its benchmark is known, is keyed by :func:`reader_fingerprint` (format, libraries,
  ``reports/``).

An entry is a magic line, the SHA-256 of its payload and the payload (a pickle of the value with the kind, log hash,
fingerprint and format it was stored for). One that cannot be read, whose checksum does not match, or that was
stored for another key is counted as invalid, deleted and recomputed, never used. Writes are atomic (a temporary
file renamed into place), so concurrent runs share the folder safely; a folder that cannot be written is reported
once and the run goes on without storing.

The folder is ``$TWINBENCH_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/twinbench/summaries``, else
``~/.cache/twinbench/summaries``; entries of old logs or old code are never read again and the folder can be deleted
at any time. ``--no-cache`` (``report``, ``leaderboard``, ``regress``) neither reads nor writes it. The payload is a
pickle: the folder must be as trusted as the code (it is the user's own, like inspect's model cache).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

from twinbench.registry import BenchmarkInfo

CACHE_FORMAT = 3  # 2: headers are reports.logs.LogHeader, not inspect EvalLog; 3: LogHeader.scorer
"""Bump when what is stored changes shape: every entry of an older format is then recomputed."""
ENV_DIR = "TWINBENCH_CACHE_DIR"
KINDS = ("header", "samples", "scored", "summary", "outline", "degenerate", "figures", "html", "references", "across")
PACKED = ("header", "scored", "outline", "degenerate")  # small, loaded for every run on every build: also packed
HASHES = "log-hashes.json"  # the remembered log hashes (LogCache.log_hash)
_RACY_NS = 2_000_000_000  # a file changed this recently may change again with the same times: its hash is not kept
_MAGIC = b"twinbench-log-cache\n"
_LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "inspect_ai", "pyarrow")
_SUITE_SOURCES = ("reports", "scorers", "leaderboard", "twinbench/registry.py")  # relative to the checkout
_HOOKS = ("summarize", "run_plots", "plots", "summarize_runs", "degenerate", "references")


def default_cache_dir() -> Path:
    """``$TWINBENCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/twinbench/summaries``, else ``~/.cache/twinbench/summaries``."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]).expanduser()
    base = Path(os.environ["XDG_CACHE_HOME"]) if os.environ.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "twinbench" / "summaries"


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@cache
def _source_digest(path: str) -> str:
    """SHA-256 over every ``.py`` file under ``path`` (or of the file itself), by relative name and bytes."""
    root = Path(path)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.relative_to(root.parent if root.is_file() else root)).encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def _hook_source(hook: Callable[..., Any]) -> str | None:
    """The folder of the top-level package that defines ``hook`` (the module file for a top-level module)."""
    name = getattr(hook, "__module__", None) or getattr(getattr(hook, "func", None), "__module__", None)
    if not name:
        return None
    try:
        top = import_module(name.split(".")[0])
    except ImportError:
        return None
    file = getattr(top, "__file__", None)
    if file is None:
        return None
    return str(Path(file).parent) if Path(file).name == "__init__.py" else file


@cache
def _environment() -> str:
    versions = []
    for library in _LIBRARIES:
        try:
            versions.append(f"{library}={_version(library.replace('_', '-'))}")
        except PackageNotFoundError:
            versions.append(f"{library}=none")
    return f"python={platform.python_version()};" + ";".join(versions)


def _version(name: str) -> str:
    """``importlib.metadata.version(name)``, read from the metadata's header lines: ``version`` parses the whole
    file with the email parser, 5 ms a library, which every build paid."""
    dist = distribution(name)
    for line in (dist.read_text("METADATA") or dist.read_text("PKG-INFO") or "").splitlines():
        if not line:  # the end of the headers
            break
        if line.startswith("Version:"):
            return line[len("Version:") :].strip()
    return dist.version


def reader_fingerprint() -> str:
    """What a cached log header depends on besides the log: the cache format, the libraries (inspect's log model
    among them) and the source of ``reports/``."""
    checkout = Path(__file__).resolve().parent.parent
    text = f"format={CACHE_FORMAT};{_environment()};reports={_source_digest(str(checkout / 'reports'))}"
    return hashlib.sha256(text.encode()).hexdigest()


def code_fingerprint(info: BenchmarkInfo) -> str:
    """What a cached result of ``info``'s logs depends on besides the log (see the module docstring), hashed."""
    checkout = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"format={CACHE_FORMAT};{_environment()};{info.name};{info.version}".encode())
    sources = {str(checkout / s) for s in _SUITE_SOURCES if (checkout / s).exists()}
    for name in _HOOKS:
        hook = getattr(info, name, None)
        if hook is None:
            continue
        digest.update(f";{name}={getattr(hook, '__module__', '')}.{getattr(hook, '__qualname__', repr(hook))}".encode())
        source = _hook_source(hook)
        if source is not None:
            sources.add(source)
    for source in sorted(sources):
        digest.update(f";{source}={_source_digest(source)}".encode())
    return digest.hexdigest()


@dataclass
class CacheStats:
    """What one report did with the cache, per kind."""

    hits: Counter[str] = field(default_factory=Counter)
    computed: Counter[str] = field(default_factory=Counter)
    invalid: list[str] = field(default_factory=list)  # "<entry>: <why>", each recomputed
    not_stored: list[str] = field(default_factory=list)  # values pickle could not hold
    unwritable: str | None = None

    def line(self) -> str:
        """One line for people: ``cache: summary 3 from cache, 1 computed; ...``."""
        parts = []
        for kind in KINDS:
            if self.hits[kind] or self.computed[kind]:
                parts.append(f"{kind} {self.hits[kind]} from cache, {self.computed[kind]} computed")
        text = "; ".join(parts) or "nothing looked up"
        if self.invalid:
            text += f"; {len(self.invalid)} invalid entr{'y' if len(self.invalid) == 1 else 'ies'} recomputed"
        if self.not_stored:
            text += f"; {len(self.not_stored)} result(s) not storable"
        if self.unwritable:
            text += f"; not stored ({self.unwritable})"
        return text


class LogCache:
    """The per-log cache of one report (see the module docstring). ``LogCache(root)`` uses ``root`` instead of
    :func:`default_cache_dir`."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        self.stats = CacheStats()
        self._hashes: dict[str, list[Any]] | None = None  # absolute path -> [size, mtime, ctime, inode, sha256]
        self._hashes_changed = False
        self._fingerprints: dict[int, tuple[BenchmarkInfo, str]] = {}
        self._reader: str | None = None
        self._pack: Path | None = None  # the open pack (open_pack): the packed entries one log folder used
        self._packed: dict[tuple[str, str, str], Any] = {}  # (kind, log hash, fingerprint) -> value, as loaded
        self._pack_used: dict[tuple[str, str, str], Any] = {}  # the entries this build used or stored

    def log_hash(self, path: str | Path) -> str:
        """SHA-256 of the log's bytes, computed once per file state (remembered across runs: :meth:`save_hashes`)."""
        st = os.stat(path)
        state = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        hashes = self._known_hashes()
        name = os.path.abspath(path)
        known = hashes.get(name)
        if known is None or known[:4] != state:
            hashes[name] = known = [*state, file_sha256(path)]
            self._hashes_changed = True
        return str(known[4])

    def _known_hashes(self) -> dict[str, list[Any]]:
        if self._hashes is None:
            try:
                stored = json.loads((self.root / HASHES).read_text(encoding="utf-8"))
                self._hashes = dict(stored["hashes"]) if stored.get("format") == CACHE_FORMAT else {}
            except (OSError, ValueError, KeyError, TypeError, AttributeError):  # none yet, or not ours: hash anew
                self._hashes = {}
        return self._hashes

    def save_hashes(self) -> None:
        """Remember the log hashes worked out in this process (of files still there and not changed just now)."""
        if not self._hashes_changed or self._hashes is None:
            return
        now = time.time_ns()
        kept = {name: entry for name, entry in self._hashes.items()
                if now - max(entry[1], entry[2]) > _RACY_NS and os.path.exists(name)}  # fmt: skip
        self._write(self.root / HASHES, json.dumps({"format": CACHE_FORMAT, "hashes": kept}).encode())
        self._hashes_changed = False

    def reader_fingerprint(self) -> str:
        """The key part of cached headers (:func:`reader_fingerprint`)."""
        if self._reader is None:
            self._reader = reader_fingerprint()
        return self._reader

    def fingerprint(self, info: BenchmarkInfo) -> str:
        known = self._fingerprints.get(id(info))
        if known is None or known[0] is not info:
            known = (info, code_fingerprint(info))
            self._fingerprints[id(info)] = known
        return known[1]

    def open_pack(self, folder: str | Path) -> None:
        """Load the pack of the log folder ``folder``: the :data:`PACKED` entries its last build used, in one file
        (``packs/<hash of the folder's path>.pkl``), so that a rebuild reads one file instead of four per run. The
        entries stay in their own files too: an unreadable or stale pack is ignored (and replaced)."""
        name = hashlib.sha256(os.path.abspath(folder).encode()).hexdigest()[:24]
        self._pack, self._pack_used = self.root / "packs" / f"{name}.pkl", {}
        stored = self._read_entry(self._pack, {"kind": "pack"})
        self._packed = stored if isinstance(stored, dict) else {}

    def save_pack(self) -> None:
        """Write the open pack with the entries this build used, when they are not the ones it was loaded with."""
        if self._pack is not None and self._pack_used.keys() != self._packed.keys():
            self._write_entry(self._pack, {"kind": "pack"}, self._pack_used)
            self._packed = dict(self._pack_used)

    def entry(self, kind: str, log_hash: str, fingerprint: str) -> Path:
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r} (kinds: {', '.join(KINDS)})")
        return self.root / kind / f"{log_hash}-{fingerprint[:24]}.pkl"

    def load(self, kind: str, log_hash: str, fingerprint: str) -> Any | None:
        """The stored value, or None (a miss; an unreadable or mismatched entry is counted, deleted and missed)."""
        packed = (kind, log_hash, fingerprint)
        if packed in self._packed:
            value = self._pack_used[packed] = self._packed[packed]
        else:
            key = {"kind": kind, "log_hash": log_hash, "fingerprint": fingerprint}
            value = self._read_entry(self.entry(kind, log_hash, fingerprint), key)
            if value is None:
                return None
            if self._pack is not None and kind in PACKED:
                self._pack_used[packed] = value
        self.stats.hits[kind] += 1
        return value

    def _read_entry(self, path: Path, key: dict[str, str]) -> Any | None:
        """The value of the entry file at ``path`` stored under ``key``; None when missing or invalid (counted and
        deleted)."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as ex:
            self._invalid(path, f"unreadable ({type(ex).__name__})")
            return None
        if not data.startswith(_MAGIC):
            self._invalid(path, "not a twinbench cache entry")
            return None
        checksum, _, payload = data[len(_MAGIC) :].partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != checksum:
            self._invalid(path, "checksum mismatch (truncated or corrupted)")
            return None
        try:
            stored = pickle.loads(payload)
        except Exception as ex:  # an entry from other code
            self._invalid(path, f"cannot be unpickled ({type(ex).__name__})")
            return None
        expected = {"format": CACHE_FORMAT, **key}
        if not isinstance(stored, dict) or any(stored.get(k) != v for k, v in expected.items()):
            self._invalid(path, "stored for another log, code or format")
            return None
        return stored["value"]

    def store(self, kind: str, log_hash: str, fingerprint: str, value: Any) -> None:
        """Write an entry atomically; a folder that cannot be written is noted once in the stats."""
        self.stats.computed[kind] += 1
        key = {"kind": kind, "log_hash": log_hash, "fingerprint": fingerprint}
        stored = self._write_entry(self.entry(kind, log_hash, fingerprint), key, value)
        if stored and self._pack is not None and kind in PACKED:
            self._pack_used[(kind, log_hash, fingerprint)] = value

    def _write_entry(self, path: Path, key: dict[str, str], value: Any) -> bool:
        """Write ``value`` as the entry file at ``path`` under ``key``; whether it could be pickled (a value pickle
        cannot hold is noted in the stats: used, not stored)."""
        if self.stats.unwritable:
            return False
        try:
            payload = pickle.dumps({"format": CACHE_FORMAT, **key, "value": value}, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as ex:  # e.g. a summarize that returns objects pickle cannot hold
            self.stats.not_stored.append(f"{key['kind']} of {key.get('log_hash', '')[:12]}: {type(ex).__name__}: {ex}")
            return False
        self._write(path, _MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
        return True

    def _write(self, path: Path, data: bytes) -> None:
        """Write a file atomically; a folder that cannot be written is noted once in the stats."""
        if self.stats.unwritable:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", suffix=path.suffix, delete=False) as tmp:
                tmp.write(data)
            os.replace(tmp.name, path)
        except OSError as ex:
            self.stats.unwritable = f"{self.root}: {type(ex).__name__}: {ex}"
            print(f"twinbench: cache not written ({self.stats.unwritable}); continuing without it", file=sys.stderr)

    def _invalid(self, path: Path, why: str) -> None:
        self.stats.invalid.append(f"{path}: {why}")
        try:
            path.unlink()
        except OSError:
            pass
        return None


Key = tuple[str, str]
"""(log hash, fingerprint): where a log's results are stored (:meth:`LogCache.entry`)."""


def log_key(cache: LogCache | None, path: str, info: BenchmarkInfo | None = None) -> Key | None:
    """The key of a log's results: by the benchmark's code (``info``), or for headers, read before the benchmark is
    known, by the reader's; None without a cache or for a log that is no local file."""
    if cache is None or not os.path.isfile(path):
        return None
    return cache.log_hash(path), cache.reader_fingerprint() if info is None else cache.fingerprint(info)


def cached(cache: LogCache | None, kind: str, key: Key | None) -> Any | None:
    """:meth:`LogCache.load`, None without a cache or key."""
    return cache.load(kind, *key) if cache is not None and key is not None else None


def store(cache: LogCache | None, kind: str, key: Key | None, value: Any) -> None:
    """:meth:`LogCache.store`, nothing without a cache or key."""
    if cache is not None and key is not None:
        cache.store(kind, *key, value)
