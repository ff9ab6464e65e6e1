from tests.reports.helpers import registered  # noqa: F401  (fixture)
