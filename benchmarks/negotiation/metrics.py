"""Per-seat behaviour counts of one finished game, read from its record alone (no judge): what ``summarize`` pools.

For seat s (numerators and denominators, so that games pool by summing):

* offers to s that it answered (``offers_answered``: deals proposed to s that it accepted, countered or rejected;
  a proposal left unanswered when the channel ran out is not an answer), ``accepted`` of them as proposed (C2C's
  acceptance without counteroffer), ``countered``, ``rejected``;
* ``proposals`` it made (counters included) and their ``terms_proposed`` (deal complexity = terms per proposal);
* ``obligations``: accepted terms that bind s and were decided (kept or broken; void and unresolved ones are left
  out): both parties of non_aggression and joint_attack, the giver of support and transfer; ``obligations_kept``
  those s did not break (reliability = kept / obligations);
* ``deals_bound``: accepted deals with at least one decided obligation of s, ``deals_betrayed`` those in which s
  broke at least one term (betrayal rate = betrayed / bound);
* ``moves`` it was asked for and ``invalid`` ones (refused and replaced by the safe default);
* ``rank`` (1 = first), ``first`` (ranked first: the winner, or the leader at the turn cap), ``objective_win``
  (won by its objective or as the last seat standing).
"""

from __future__ import annotations

from typing import Any

ANSWERS = ("accepted", "countered", "rejected")
DECIDED = ("kept", "broken")


def binds(term: dict[str, Any], parties: tuple[int, int], seat: int) -> bool:
    """Whether the term obliges ``seat`` to do (or not do) something."""
    if term["kind"] in ("support", "transfer"):
        return bool(term.get("from") == seat)
    return seat in parties


def seat_counts(record: dict[str, Any], seat: int) -> dict[str, int]:
    out = dict.fromkeys(
        (
            "offers_answered",
            "accepted",
            "countered",
            "rejected",
            "proposals",
            "terms_proposed",
            "obligations",
            "obligations_kept",
            "deals_bound",
            "deals_betrayed",
        ),
        0,
    )
    for deal in record["deals"]:
        parties = (deal["proposer"], deal["responder"])
        if deal["proposer"] == seat:
            out["proposals"] += 1
            out["terms_proposed"] += len(deal["terms"])
        if deal["responder"] == seat and deal["status"] in ANSWERS:
            out["offers_answered"] += 1
            out[deal["status"]] += 1
        if deal["status"] != "accepted" or seat not in parties:
            continue
        mine = [t for t in deal["terms"] if t["status"] in DECIDED and binds(t, parties, seat)]
        broken = [t for t in mine if t["status"] == "broken" and seat in t["broken_by"]]
        out["obligations"] += len(mine)
        out["obligations_kept"] += len(mine) - len(broken)
        if mine:
            out["deals_bound"] += 1
            out["deals_betrayed"] += int(bool(broken))
    moves = [m for m in record["moves"] if m["seat"] == seat]
    out["moves"] = len(moves)
    out["invalid"] = sum(m["error"] is not None for m in moves)
    result = record["result"]
    out["rank"] = result["ranking"].index(seat) + 1
    out["first"] = int(out["rank"] == 1)
    out["objective_win"] = int(result["winner"] == seat)
    return out
