"""The twin's appeals simulator spreads a yearly volume over the months without drift."""

import datetime as dt

from justedroit.twin.simulate.appeals.simulate import _due


def test_monthly_volumes_add_up_to_the_calibrated_year():
    for per_year in (2831 * 0.05, 172 * 0.05, 2831.0, 14 * 0.05):
        done = 0
        for month in range(1, 13):
            done += _due(per_year, dt.date(2022, month, 1), done)
        assert done == round(per_year)
