"""Survey-simulation fidelity benchmark (hypothesis-test misalignment on real surveys)."""

from pathlib import Path

from benchmarks.survey.calibration import cases
from benchmarks.survey.plots import run_plots
from benchmarks.survey.references import degenerate, references
from benchmarks.survey.summary import summarize
from benchmarks.survey.task import OLDEST_LOG_VERSION, TASK_VERSION, survey
from benchmarks.survey.units import headline_from_units, units
from twinbench.registry import BenchmarkInfo, Direction, HeadlineMetric

INFO = BenchmarkInfo(
    name="survey",
    title="Survey-simulation fidelity",
    paper="Hong, Caldas & Leqi (2025), Hypothesis Testing for Quantifying LLM-Human Misalignment in Multiple "
    "Choice Settings, arXiv:2506.14997; Santurkar et al. (2023), Whose Opinions Do Language Models Reflect?",
    version=str(TASK_VERSION),
    oldest_log_version=OLDEST_LOG_VERSION,
    tasks=(survey,),
    headline=(
        HeadlineMetric(
            "rejected_share",
            "Misaligned (BH 5%)",
            Direction.LOWER,
            kind="proportion",
            description="Share of (question, sub-population) pairs where a chi-square goodness-of-fit test of the "
            "sub-population's answers against the model's option shares rejects, Benjamini-Hochberg FDR 0.05.",
        ),
        HeadlineMetric(
            "representativeness",
            "Representativeness",
            Direction.HIGHER,
            kind="mean",
            description="Mean of 1 - W1/(N-1) (ordinal questions) or 1 - Jensen-Shannon distance (nominal).",
        ),
        HeadlineMetric(
            "invalid_share",
            "Invalid share",
            Direction.LOWER,
            kind="mean",
            description="Mean share of the model's answer mass off the option letters (never a test category).",
        ),
    ),
    summarize=summarize,
    run_plots=run_plots,
    units=units,
    headline_from_units=headline_from_units,
    calibration=cases,
    degenerate=degenerate,
    references=references,
    description="Can a model, told it belongs to a sub-population, answer a multiple-choice survey question the "
    "way that sub-population did? Real microdata from five surveys (WVS, CES 2011, BEPS, Chile 1988, ANES 1996).",
    default_task_args={},
    readme=str(Path(__file__).with_name("README.md")),
)
