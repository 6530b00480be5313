"""Reading an indicator of the registry the way the report does: its year's value and its monthly
series, to compare with what the services recorded."""

from justedroit.core.indicators import Indicator, Value, registered, report_cache


def declared(code: str) -> Indicator:
    return next(i for i in registered() if i.code == code)


def year_and_months(code: str, year: int) -> tuple[Value, dict[int, Value]]:
    indicator = declared(code)
    assert indicator.monthly is not None, f"{code} has no monthly series"
    with report_cache():
        return indicator.compute(year), indicator.monthly(year)


def assert_counts(code: str, year: int, expected: dict[int, int]) -> None:
    """The indicator's months are `expected` (month → count, the others 0), and its year's value
    is their sum."""
    value, months = year_and_months(code, year)
    assert months == {month: expected.get(month, 0) for month in range(1, 13)}, code
    assert value == sum(months.values()), code
