"""The score of one game: numbers for the model under test in ``Score.value`` (its seats summed, so inspect's
mean reducer reads them), and in ``Score.metadata`` every seat's counts (:mod:`benchmarks.negotiation.metrics`),
who played it, its model calls and tokens, and the full game record (JSON, replayable with ``record.replay``)."""

from __future__ import annotations

from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import TaskState

from benchmarks.negotiation.metrics import seat_counts
from benchmarks.negotiation.solver import GameStore

VALUE_KEYS = ("first", "objective_win", "moves", "invalid", "offers_answered", "accepted", "countered",
              "proposals", "terms_proposed", "obligations", "obligations_kept", "deals_bound", "deals_betrayed",
              "tokens")  # fmt: skip


@scorer(metrics={"*": [mean()]})
def negotiation_scorer() -> Scorer:
    async def score(state: TaskState, target: Target) -> Score:
        store = state.store_as(GameStore)
        record = store.record
        seats = []
        for seat_text, info in sorted(store.seats.items(), key=lambda kv: int(kv[0])):
            seats.append({"seat": int(seat_text), **info, **seat_counts(record, int(seat_text))})
        main = [s for s in seats if s["main"]]
        value: dict[str, float] = {"main_seats": float(len(main)), "turns": float(record["result"]["turns"])}
        value |= {k: float(sum(s[k] for s in main)) for k in VALUE_KEYS}
        value["deals_accepted"] = float(sum(d["status"] == "accepted" for d in record["deals"]))
        result = record["result"]
        return Score(
            value=value,
            answer=",".join(str(s) for s in result["ranking"]),
            explanation=f"{result['end_reason']} after {result['turns']} turns; ranking "
            + ", ".join(f"seat {s} ({store.seats[str(s)]['model']})" for s in result["ranking"]),
            metadata={"seats": seats, "record": record},
        )

    return score
