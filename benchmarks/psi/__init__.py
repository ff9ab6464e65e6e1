"""PSI: patient-simulator diagnostics in the style of PSI-Bench (Hoang, Mehri, …, Hakkani-Tür, 2026).

The model under test plays a real ESConv help-seeker (role ``patient``) against the real supporter's turns
(``replay``), a scripted counsellor or a therapist model; every simulated conversation is scored with PSI-Bench's
diagnostics (:mod:`benchmarks.psi.diagnostics`) against its real counterpart. Data: :mod:`benchmarks.psi.data`
(built by :mod:`benchmarks.psi.build_data`); see ``benchmarks/psi/README.md``.
"""

from pathlib import Path

from benchmarks.psi.calibration import cases
from benchmarks.psi.plots import run_plots
from benchmarks.psi.references import degenerate, references
from benchmarks.psi.solver import ROLES
from benchmarks.psi.summary import summarize
from benchmarks.psi.task import DEFAULT_CONVERSATIONS, DEFAULT_MAX_TURNS, TASK_VERSION, psi
from twinbench.registry import BenchmarkInfo, Diagnostic, Direction, HeadlineMetric

INFO = BenchmarkInfo(
    name="psi",
    title="PSI: patient-simulator fidelity (PSI-Bench)",
    paper="Hoang, Mehri, …, Hakkani-Tür (2026), PSI-Bench: patient simulator diagnostics against real "
    "help-seeker conversations",
    version=str(TASK_VERSION),
    tasks=(psi,),
    headline=(
        HeadlineMetric(
            "aggregate_fidelity",
            "Aggregate fidelity (0-100)",
            Direction.HIGHER,
            description="PSI-Bench's mean of the verbosity, marker, valence and MTLD fidelity scores against the "
            "matched real ESConv seekers, and the PTC score when a judge ran (-T judge=true); bootstrap CI over "
            "conversations",
            digits=1,
        ),
        HeadlineMetric(
            "verbosity_score",
            "Verbosity fidelity",
            Direction.HIGHER,
            description="100·exp(−|ln(sim/real)|) of words per turn and per sentence, averaged",
            digits=1,
        ),
        HeadlineMetric(
            "marker_score",
            "Depressive-marker fidelity",
            Direction.HIGHER,
            description="100 − (ptk distance + message-share difference)/2",
            digits=1,
        ),
        HeadlineMetric(
            "valence_score",
            "Valence fidelity",
            Direction.HIGHER,
            description="(1 − mean JS distance of per-turn positive/negative VADER shares)·100",
            digits=1,
        ),
        HeadlineMetric(
            "mtld_score",
            "MTLD fidelity",
            Direction.HIGHER,
            description="100·max(0, 1 − W1(sim, real MTLD)/mean real MTLD) (single-run mapping of PSI-Bench's min-max)",
            digits=1,
        ),
        HeadlineMetric(
            "ptc_score",
            "PTC narrative fidelity",
            Direction.HIGHER,
            description="(1 − mean JS distance of per-turn Problem/Transition/Change shares labelled by the judge "
            "role)·100; only with -T judge=true",
            digits=1,
        ),
    ),
    summarize=summarize,
    description="How realistic is a model playing a real person who seeks emotional support? The model plays an "
    "ESConv help-seeker from that seeker's own situation, emotion and problem type, against the real supporter's "
    "turns; PSI-Bench's turn-, dialogue- and population-level diagnostics (length, MTLD, depressive markers, "
    "valence trajectory, resolution, spread) are compared with the real seeker's, with bootstrap CIs over "
    "conversations and paired tests.",
    default_task_args={"conversations": DEFAULT_CONVERSATIONS, "max_turns": DEFAULT_MAX_TURNS},
    readme=str(Path(__file__).with_name("README.md")),
    calibration=cases,
    run_plots=run_plots,
    diagnostics=(
        Diagnostic("words_per_turn", "Words per turn (sim)", "simulated patient, PSI-Bench's per-index mean", 1),
        Diagnostic("real_words_per_turn", "Words per turn (real)", "the matched real seekers", 1),
        Diagnostic("mtld", "MTLD (sim)", "mean bidirectional MTLD, conversations with >= 100 tokens", 1),
        Diagnostic("resolution_turn", "Resolution turn (sim)", "mean 0-based turn index of valence resolution", 1),
        Diagnostic(
            "uniform_trajectory_share",
            "Uniform neg→pos",
            "share of uniformly negative-to-positive valence trajectories (simulated)",
            2,
        ),  # fmt: skip
        Diagnostic(
            "sd_ratio_words_per_turn",
            "Spread ratio, words/turn",
            "SD across simulated / real conversations (< 1: less variable than people)",
            2,
        ),  # fmt: skip
        Diagnostic("invalid_turns", "Invalid patient turns", "empty or unusable patient turns (of n)", 0),
        Diagnostic(
            "therapist_errors",
            "Failed therapist turns",
            "model therapist turns that failed (a failed call or an empty reply), of n calls; -T therapist=model only",
            0,
        ),  # fmt: skip
        Diagnostic("judge_invalid", "Invalid judge replies", "PTC judge replies not readable as a label (of n)", 0),
    ),
    roles=ROLES,
    degenerate=degenerate,
    references=references,
)

__all__ = ["INFO", "psi", "summarize"]
