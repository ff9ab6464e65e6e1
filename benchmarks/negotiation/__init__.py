"""Negotiation behaviour: a Cooperate-to-Compete (C2C) conquest game with private, non-binding deals.

The engine (pure Python, no model inside) lives in engine.py, the baseline players in bots.py; task.py seats
language models (model roles player_1 ... player_4) and bots, one game per sample (README.md).
"""

from pathlib import Path

from benchmarks.negotiation.calibration import cases
from benchmarks.negotiation.references import degenerate, references
from benchmarks.negotiation.solver import MAIN_JOB_PLAYERS, ROLES
from benchmarks.negotiation.summary import summarize, summarize_runs
from benchmarks.negotiation.task import TASK_VERSION, negotiation
from twinbench.registry import BenchmarkInfo, Diagnostic, Direction, HeadlineMetric

INFO = BenchmarkInfo(
    name="negotiation",
    title="Negotiation: Cooperate to Compete (C2C)",
    paper="O'Neill, Zhu, Miroyan et al. (2026), Cooperate to Compete: mixed-motive negotiation in a conquest game",
    version=str(TASK_VERSION),
    tasks=(negotiation,),
    headline=(
        HeadlineMetric(
            "win_rate",
            "Win rate",
            Direction.HIGHER,
            kind="proportion",
            description="Share of the model's seat-games it finished first (the winner, or the leader at the turn "
            "cap); Wilson CI over games. 1/4 by construction when it holds every seat.",
        ),
        HeadlineMetric(
            "reliability",
            "Reliability",
            Direction.HIGHER,
            kind="proportion",
            description="Share of the accepted, decided deal terms binding the model that it kept (the engine "
            "decides from actions); Wilson CI at the effective number of games.",
        ),
        HeadlineMetric(
            "betrayal_rate",
            "Betrayal rate",
            Direction.LOWER,
            kind="proportion",
            description="Share of the model's accepted deals with a decided obligation in which it broke a term.",
        ),
    ),
    summarize=summarize,
    description="Four players, secret two-region objectives, private non-binding deals: do language models "
    "accept without countering, keep what they agreed, betray, and win? One seeded game per sample with seats "
    "rotated; deals as structured terms whose keeping the engine decides from the actions; Plackett–Luce strengths "
    "over final rankings; C2C's targeted prompting as an option with a Fisher exact test of its effect.",
    default_task_args={"players": MAIN_JOB_PLAYERS},
    readme=str(Path(__file__).with_name("README.md")),
    calibration=cases,
    summarize_runs=summarize_runs,
    diagnostics=(
        Diagnostic(
            "acceptance_without_counteroffer",
            "Accepts without counteroffer",
            "share of answered proposals accepted as proposed (C2C: humans 56.3%, LM agents 67.6%)",
        ),
        Diagnostic("counteroffer_rate", "Counteroffer rate", "share of answered proposals countered"),
        Diagnostic("terms_per_deal", "Terms per deal", "mean terms per proposal the model made", digits=2),
        Diagnostic("invalid_move_rate", "Invalid moves", "share of the model's moves refused (safe default played)"),
        Diagnostic("tokens_per_game", "Tokens per game", "the model's prompt + completion tokens per game", digits=0),
    ),  # fmt: skip
    roles=ROLES,
    degenerate=degenerate,
    references=references,
)

__all__ = ["INFO", "negotiation", "summarize"]
