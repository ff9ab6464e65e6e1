import pytest

from scorers.hub import HubUnavailable, hub_rows


@pytest.fixture
def load_dataset(monkeypatch):
    """datasets.load_dataset replaced by a recorder (the tests never need the network)."""
    import datasets

    calls = []

    def fake(path, name, split, revision):
        calls.append((path, name, split, revision))
        return [{"q": "a"}, {"q": "b"}]

    monkeypatch.setattr(datasets, "load_dataset", fake)
    return calls


def test_rows_at_the_pinned_revision(load_dataset):
    assert hub_rows("org/set", name="cfg", split="test", revision="abc123") == [{"q": "a"}, {"q": "b"}]
    assert load_dataset == [("org/set", "cfg", "test", "abc123")]


def test_no_revision_is_refused_unless_allowed(load_dataset):
    with pytest.raises(HubUnavailable, match=r"^org/set: no pinned revision; pass revision=<commit sha>"):
        hub_rows("org/set", split="train", revision=None)
    assert load_dataset == []
    assert hub_rows("org/set", split="train", revision=None, allow_unpinned=True)
    assert load_dataset == [("org/set", None, "train", None)]


def test_offline_is_one_line_naming_dataset_and_revision(monkeypatch):
    import datasets

    def offline(*args, **kwargs):
        raise ConnectionError("Couldn't reach 'org/set' on the Hub (LocalEntryNotFoundError)\nsecond line")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(HubUnavailable) as info:
        hub_rows("org/set", name="cfg", split="train", revision="0123456789abcdef")
    assert str(info.value) == (
        "org/set[cfg]@0123456789ab could not be loaded (ConnectionError: Couldn't reach 'org/set' on the Hub "
        "(LocalEntryNotFoundError)); it needs network access to the Hugging Face hub (and access rights for gated sets)"
    )
