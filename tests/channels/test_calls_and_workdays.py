import datetime as dt

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from justedroit.channels.models import CallbackRequest, CallbackStatus
from justedroit.channels.services import calls
from justedroit.core import clock
from justedroit.core.calendar import (
    is_working_day,
    working_minutes_between,
    working_minutes_vector,
)
from justedroit.core.roles import Role

P = clock.PARIS


def test_working_time_skips_weekends_and_french_holidays():
    assert not is_working_day(dt.date(2022, 7, 14))  # Fête nationale, a Thursday
    friday_evening = dt.datetime(2022, 7, 8, 18, 0, tzinfo=P)
    monday_morning = dt.datetime(2022, 7, 11, 9, 0, tzinfo=P)
    assert working_minutes_between(friday_evening, monday_morning) == (6 + 9) * 60
    # Wednesday 13/07 12:00 → Friday 15/07 12:00 crosses the 14th: 12 h + 12 h.
    assert (
        working_minutes_between(
            dt.datetime(2022, 7, 13, 12, tzinfo=P), dt.datetime(2022, 7, 15, 12, tzinfo=P)
        )
        == 24 * 60
    )


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=dt.datetime(2021, 1, 1), max_value=dt.datetime(2022, 12, 1)),
    minutes=st.integers(min_value=1, max_value=30 * 24 * 60),
)
def test_the_twin_and_the_service_share_one_working_clock(start, minutes):
    start = start.replace(microsecond=0)
    end = start + dt.timedelta(minutes=minutes)
    scalar = working_minutes_between(start.replace(tzinfo=P), end.replace(tzinfo=P))
    vector = working_minutes_vector(
        np.array([start], dtype="datetime64[s]"),
        np.array([end], dtype="datetime64[s]"),
    )
    assert int(vector[0]) == scalar


def test_callback_requests_are_tasks(household, make_user):
    agent = make_user(Role.RECEPTION)
    with pytest.raises(ValidationError, match="Numéro de téléphone invalide"):
        calls.callback_request_create(phone="12", reason="payment", acting_user=agent)
    assert not CallbackRequest.objects.exists()
    callback = calls.callback_request_create(
        phone="0549000002", reason="payment", household=household, acting_user=agent
    )
    assert callback.phone == "+33549000002"
    done = calls.callback_request_complete(callback=callback, acting_user=agent, note="ok")
    assert (done.status, done.done_by) == (CallbackStatus.DONE, agent)
    with pytest.raises(ValidationError, match="déjà fait"):
        calls.callback_request_complete(callback=callback, acting_user=agent)
