"""Datasets from the Hugging Face Hub at a pinned revision: the one way a benchmark reads data from the Hub.

A revision (a commit sha) makes a run reproducible: the same rows next year. Without the network (or without
access to a gated set) loading fails with :class:`HubUnavailable`, whose message is one line naming the dataset and
the revision, so a user sees which set is missing rather than a ``datasets`` traceback.
"""

from __future__ import annotations

from typing import Any


class HubUnavailable(RuntimeError):
    """A Hub dataset could not be loaded (offline, gated, or no pinned revision); the message is one line."""


def hub_rows(
    path: str, *, split: str, revision: str | None, name: str | None = None, allow_unpinned: bool = False
) -> list[dict[str, Any]]:
    """The rows of ``path`` (config ``name``), split ``split``, at ``revision``, as plain dicts.

    ``revision=None`` reads whatever the Hub holds today; that is refused unless ``allow_unpinned`` is set.
    """
    label = path if name is None else f"{path}[{name}]"
    if revision is None and not allow_unpinned:
        raise HubUnavailable(
            f"{label}: no pinned revision; pass revision=<commit sha> from its Hugging Face page "
            "(or allow_unpinned=True to read its current, unreproducible state)"
        )
    where = f"{label}@{(revision or 'latest')[:12]}"
    try:
        # type-checked from the checkout, the data folder datasets/ hides the package's attributes from mypy
        from datasets import load_dataset  # type: ignore[attr-defined]

        return [dict(row) for row in load_dataset(path, name, split=split, revision=revision)]
    except Exception as ex:  # offline, gated, renamed or not installed: all end in the same one-line message
        text = str(ex).strip()
        first_line = text.splitlines()[0][:200] if text else "no message"
        raise HubUnavailable(
            f"{where} could not be loaded ({type(ex).__name__}: {first_line}); it needs network access to the "
            "Hugging Face hub (and access rights for gated sets)"
        ) from None
