import pytest

from reports.logs import samples_frame as _samples_frame


@pytest.fixture
def samples_frame():
    """The registry's summarize input (sample_id, epoch, score, answer, metadata) built from an eval log."""
    return _samples_frame
