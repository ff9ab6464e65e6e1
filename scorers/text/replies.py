"""Reading structured answers out of a model's free text (judges and verdicts asked for a small JSON object)."""

from __future__ import annotations

import json
import re
from typing import Any

_OBJECT = re.compile(r"\{[^{}]*\}")  # a flat object: the small replies asked for have no nesting


def json_objects(text: str | None) -> list[dict[str, Any]]:
    """Every flat JSON object in ``text`` that parses (whole, fenced or inside prose), in order."""
    found = []
    for candidate in _OBJECT.findall(text or ""):
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            found.append(data)
    return found
