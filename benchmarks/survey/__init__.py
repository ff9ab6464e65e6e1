"""Survey-simulation fidelity benchmark (hypothesis-test misalignment on real surveys)."""

from pathlib import Path

from benchmarks.survey.plots import plots
from benchmarks.survey.summary import summarize
from benchmarks.survey.task import TASK_VERSION, survey
from twinbench.registry import BenchmarkInfo, HeadlineMetric

INFO = BenchmarkInfo(
    name="survey",
    title="Survey-simulation fidelity",
    paper="Hong, Caldas & Leqi (2025), Hypothesis Testing for Quantifying LLM-Human Misalignment in Multiple "
    "Choice Settings, arXiv:2506.14997; Santurkar et al. (2023), Whose Opinions Do Language Models Reflect?",
    version=str(TASK_VERSION),
    tasks=(survey,),
    headline=(
        HeadlineMetric(
            "rejected_share",
            "Misaligned (BH 5%)",
            "lower",
            kind="proportion",
            description="Share of (question, sub-population) pairs where the chi-square test rejects that the model "
            "answers like the sub-population, Benjamini-Hochberg FDR 0.05.",
        ),
        HeadlineMetric(
            "representativeness",
            "Representativeness",
            "higher",
            kind="mean",
            description="Mean of 1 - W1/(N-1) (ordinal questions) or 1 - Jensen-Shannon distance (nominal).",
        ),
    ),
    summarize=summarize,
    plots=plots,
    description="Can a model, told it belongs to a sub-population, answer a multiple-choice survey question the "
    "way that sub-population did? Real microdata from five surveys (WVS, CES 2011, BEPS, Chile 1988, ANES 1996).",
    default_task_args={},
    readme=str(Path(__file__).with_name("README.md")),
)
