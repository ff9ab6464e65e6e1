"""Dialogic deference (DialDefer): the same claim judged as a statement and as a speaker's answer."""

from pathlib import Path

from benchmarks.deference.calibration import cases
from benchmarks.deference.plots import run_plots
from benchmarks.deference.references import degenerate, references
from benchmarks.deference.summary import summarize
from benchmarks.deference.task import DEFAULT_ITEMS_PER_DOMAIN, TASK_VERSION, deference
from benchmarks.deference.units import headline_from_units, units
from twinbench.registry import BenchmarkInfo, Diagnostic, Direction, HeadlineMetric

INFO = BenchmarkInfo(
    name="deference",
    title="Dialogic deference (DialDefer)",
    paper="DialDefer: A Framework for Detecting and Mitigating LLM Dialogic Deference (2026), "
    "https://github.com/LadyPary/DialDefer",
    version=str(TASK_VERSION),
    tasks=(deference,),
    headline=(
        HeadlineMetric(
            "dds",
            "DDS (pp)",
            Direction.ZERO,
            description="Dialogic Deference Score, Δ_Correct − Δ_Incorrect, pooled over items; > 0 deference, "
            "< 0 scepticism",
            digits=1,
        ),
        HeadlineMetric(
            "rms_dds",
            "RMS of per-domain DDS, bias-corrected (pp)",
            Direction.LOWER,
            description="bias-corrected RMS of per-domain DDS, √max(0, mean over domains of DDS² − SE²): the size of "
            "framing effects whatever their sign, with sampling noise removed (near 0 for a judge without any)",
            digits=1,
        ),
        HeadlineMetric(
            "accuracy_change",
            "Acc C2 − C1 (pp)",
            Direction.ZERO,
            description="accuracy under speaker framing minus statement framing",
            digits=1,
        ),
    ),
    summarize=summarize,
    description="Does a model judge the same claim differently when a speaker in a dialogue made it than when it "
    "is a statement to verify? Four cells per item, JSON verdicts at temperature 0, DDS with bootstrap CIs, exact "
    "McNemar tests and Cohen's h; the size of per-domain effects bias-corrected and tested against a permutation null.",
    default_task_args={"items_per_domain": DEFAULT_ITEMS_PER_DOMAIN},
    readme=str(Path(__file__).with_name("README.md")),
    run_plots=run_plots,
    units=units,
    headline_from_units=headline_from_units,
    calibration=cases,
    diagnostics=(
        Diagnostic("says_correct_c1", 'Says "correct", statement', 'share of read statement verdicts "correct"'),
        Diagnostic("says_correct_c2", 'Says "correct", speaker', 'share of read speaker verdicts "correct"'),
        Diagnostic("unparseable", "Unparseable verdicts", "verdicts that could not be read (of n prompts)", digits=0),
    ),
    degenerate=degenerate,
    references=references,
)

__all__ = ["INFO", "deference", "summarize"]
