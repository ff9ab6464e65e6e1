import pandas as pd
import pytest


def _samples_frame(log) -> pd.DataFrame:
    """The registry's summarize input (sample_id, epoch, score, answer, metadata) built from an eval log."""
    rows = []
    for s in log.samples:
        score = next(iter(s.scores.values()))
        rows.append({"sample_id": s.id, "epoch": s.epoch, "score": score.value, "answer": score.answer,
                     "metadata": s.metadata})
    return pd.DataFrame(rows)


@pytest.fixture
def samples_frame():
    return _samples_frame
