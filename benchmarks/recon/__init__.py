"""Recon: reasoning synthesis for user modelling, scored by reconstruction fidelity (Zhu, Miroyan, Wang et al.)."""

from pathlib import Path

from benchmarks.recon.calibration import cases
from benchmarks.recon.plots import run_plots
from benchmarks.recon.solver import ROLES
from benchmarks.recon.summary import degenerate, summarize, summarize_runs
from benchmarks.recon.task import OLDEST_LOG_VERSION, TASK_VERSION, recon
from benchmarks.recon.units import headline_from_units, units
from twinbench.registry import BenchmarkInfo, Direction, HeadlineMetric

INFO = BenchmarkInfo(
    name="recon",
    title="Recon: reasoning traces for user modelling",
    paper="Zhu, Miroyan, Wang et al. (2026), Recon: reasoning synthesis for user modelling, scored by "
    "reconstruction fidelity",
    version=str(TASK_VERSION),
    oldest_log_version=OLDEST_LOG_VERSION,
    tasks=(recon,),
    headline=(
        HeadlineMetric(
            "recon_vs_backward_win_rate",
            "Recon vs Backward win rate",
            Direction.HIGHER,
            kind="proportion",
            description="Per held-out action: does the user model given Recon's traces find the true action more "
            "likely than given Backward Synthesis's? wins / (wins + losses), ties reported; Wilson CI, sign test.",
        ),
        HeadlineMetric(
            "recon_vs_forward_win_rate",
            "Recon vs Forward win rate",
            Direction.HIGHER,
            kind="proportion",
            description="The same against one forward trace (Recon without selection): what selection adds.",
        ),
        HeadlineMetric(
            "backward_leak_rate",
            "Backward leak rate",
            Direction.LOWER,
            kind="proportion",
            description="Share of backward traces quoting the action (8+ consecutive words); masked before use.",
        ),
        HeadlineMetric(
            "recon_fidelity_gain",
            "Recon fidelity gain over none (nats/token)",
            Direction.HIGHER,
            kind="mean",
            description="Mean held-out log-likelihood per token with Recon's traces minus without traces.",
        ),
    ),
    summarize=summarize,
    summarize_runs=summarize_runs,
    description="Can reasoning traces make a real person's next action more predictable? Traces for a justice's "
    "or Diplomacy player's past turns are written forward, backward (seeing the action) or by Recon (best of N "
    "forward candidates by the reconstructor's teacher-forced likelihood of the action); a user model then predicts "
    "the person's held-out actions with each strategy's traces, compared pairwise per item.",
    default_task_args={},
    readme=str(Path(__file__).with_name("README.md")),
    run_plots=run_plots,
    units=units,
    headline_from_units=headline_from_units,
    calibration=cases,
    roles=ROLES,
    degenerate=degenerate,
)

__all__ = ["INFO", "recon", "summarize", "summarize_runs"]
