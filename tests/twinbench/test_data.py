"""twinbench.data.data_path: the one way code finds a shipped data file, in a checkout and in an installed wheel, and
the one-line error when one is missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import twinbench.data as data
from benchmarks.deference import items as deference_items
from benchmarks.survey import public_sets, surveys
from twinbench.data import DataFileMissing, data_path, jsonl_records

REPO = Path(__file__).resolve().parents[2]


def test_checkout_reads_the_repository_datasets() -> None:
    assert data.checkout_root() == REPO
    assert data_path("deference", "capitals.jsonl") == REPO / "datasets" / "deference" / "capitals.jsonl"
    # the repository-relative form dataset cards are recorded in
    assert data_path("datasets/survey/carData_WVS.md") == REPO / "datasets" / "survey" / "carData_WVS.md"
    assert data_path("deference").is_dir()


def test_every_survey_card_resolves() -> None:
    cards = [card for module in (surveys, public_sets)
             for card in re.findall(r'card="([^"]+)"', Path(module.__file__).read_text("utf-8"))]  # fmt: skip
    assert len(cards) >= 6 and {s.card for s in surveys.SURVEYS.values()} <= set(cards)
    for card in cards:
        assert data_path(card).is_file(), card


def test_wheel_package_data_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = tmp_path / "twinbench" / "datasets" / "deference"
    shipped.mkdir(parents=True)
    (shipped / "capitals.jsonl").write_text("{}\n")
    monkeypatch.setattr(data, "PACKAGE_DATA", tmp_path / "twinbench" / "datasets")
    assert data_path("deference", "capitals.jsonl") == shipped / "capitals.jsonl"
    # a file only the checkout has is still found there
    assert data_path("deference", "units.jsonl") == REPO / "datasets" / "deference" / "units.jsonl"


def test_installed_package_is_not_a_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # In site-packages the folder above twinbench/ holds Hugging Face's datasets/, never read as ours.
    site = tmp_path / "site-packages"
    (site / "twinbench").mkdir(parents=True)
    (site / "datasets" / "deference").mkdir(parents=True)
    (site / "datasets" / "deference" / "capitals.jsonl").write_text("{}\n")
    monkeypatch.setattr(data, "_PACKAGE_DIR", site / "twinbench")
    monkeypatch.setattr(data, "PACKAGE_DATA", site / "twinbench" / "datasets")
    assert data.checkout_root() is None
    assert data.data_roots() == [site / "twinbench" / "datasets"]
    with pytest.raises(DataFileMissing):
        data_path("deference", "capitals.jsonl")


def test_missing_file_is_one_line_naming_it_and_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "data_roots", lambda: [tmp_path / "a", tmp_path / "b"])
    with pytest.raises(DataFileMissing) as info:
        data_path("deference", "capitals.jsonl")
    message = str(info.value)
    assert "\n" not in message
    assert "datasets/deference/capitals.jsonl is missing" in message
    assert f"looked in {tmp_path / 'a'}, {tmp_path / 'b'}" in message
    assert "pip install --force-reinstall twinbench" in message
    assert "git checkout -- datasets/deference/capitals.jsonl" in message
    assert isinstance(info.value, FileNotFoundError)


def test_deference_loader_fails_with_the_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "data_roots", lambda: [tmp_path])
    with pytest.raises(DataFileMissing, match=r"^twinbench data file datasets/deference/weekdays\.jsonl is missing"):
        deference_items.builtin_items(["weekdays"])
    with pytest.raises(DataFileMissing, match="datasets/deference is missing"):
        _ = deference_items.DATA_DIR


def test_deference_loader_reads_through_data_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "deference").mkdir()
    line = (REPO / "datasets" / "deference" / "weekdays.jsonl").read_text("utf-8").splitlines()[0]
    (tmp_path / "deference" / "weekdays.jsonl").write_text(line + "\n", "utf-8")
    monkeypatch.setattr(data, "data_roots", lambda: [tmp_path])
    assert len(deference_items.builtin_items(["weekdays"])) == 1
    assert deference_items.DATA_DIR == tmp_path / "deference"


@pytest.mark.parametrize("bad", ["/etc/passwd", "../pyproject.toml", "deference/../../x", ""])
def test_paths_outside_datasets_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="path inside datasets/"):
        data_path(bad)


def test_jsonl_records_skip_blank_lines_and_name_a_bad_line():
    lines = ['{"a": 1}', "", "  ", "[2]", "{oops"]
    records = jsonl_records(lines, "f.jsonl", ValueError)
    assert next(records) == (1, {"a": 1})
    assert next(records) == (4, [2])
    with pytest.raises(ValueError, match=r"^f.jsonl:5: not valid JSON \(Expecting property name"):
        next(records)
