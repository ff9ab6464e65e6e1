"""Invariants every game state must satisfy; the benchmark script and the tests check them after each game."""

from __future__ import annotations

from benchmarks.negotiation.engine import Game

FINAL_TERM_STATES = {"kept", "broken", "void", "unresolved"}
FINAL_DEAL_STATES = {"accepted", "rejected", "countered", "withdrawn", "expired"}


def problems(game: Game) -> list[str]:
    """What is wrong with a finished game (empty when nothing is)."""
    state, board = game.state, game.board
    found = []
    if game.result is None or game.request is not None:
        found.append("the game has not finished")
    alive = set(state.alive())
    for t in board.territories:
        if state.armies[t] < 1:
            found.append(f"{t} has {state.armies[t]} armies")
        if state.owner[t] not in alive:
            found.append(f"{t} is held by seat {state.owner[t]}, who is out")
    for seat in alive:
        if not state.held(seat):
            found.append(f"seat {seat} is alive with no territory")
    for seat, s in state.seats.items():
        if s.negotiate_tokens < 0 or s.support_tokens < 0:
            found.append(f"seat {seat} has negative tokens")
    if game.result is not None:
        if sorted(game.result["ranking"]) != list(board.seats):
            found.append(f"ranking {game.result['ranking']} is not a ranking of every seat")
        winner = game.result["winner"]
        if winner is not None and game.result["ranking"][0] != winner:
            found.append("the winner is not ranked first")
        if game.result["end_reason"] == "objective" and (winner is None or not state.holds_objective(winner)):
            found.append("an objective win without the objective held")
    for deal in game.ledger.deals:
        if deal.status not in FINAL_DEAL_STATES:
            found.append(f"deal {deal.id} still {deal.status}")
        for term in deal.terms:
            expected = FINAL_TERM_STATES if deal.status == "accepted" else {"proposed"}
            if term.status not in expected:
                found.append(f"deal {deal.id} ({deal.status}) has a {term.kind} term {term.status}")
    return found
