"""The twin's case workers process through the real services, err at calibrated rates, and the
twin's truth knows every error; its verifier's plan is estimated next to that truth."""

import datetime as dt
import io

from django.core.management import call_command

from justedroit.core import clock
from justedroit.quality import selectors
from justedroit.quality.models import Review
from justedroit.quality.services import PlanInput
from justedroit.registry.models import ActKind, ProcessingAct
from justedroit.twin.simulate import quality, truth
from justedroit.twin.simulate.quality.verification import true_rates, verify
from justedroit.twin.truth.models import TrueProcessing

FIRST, LAST = dt.date(2022, 1, 1), dt.date(2022, 3, 1)


def test_the_twins_case_workers_err_and_the_truth_knows(small_twin):
    truth.simulate(first_month=FIRST, last_month=LAST, seed=86, scale=0.01)
    counts = quality.simulate(
        first_month=FIRST, last_month=LAST, seed=86, scale=0.01, progress=lambda note: None
    )
    acts = ProcessingAct.objects.filter(kind=ActKind.FACTS_RECORDED)
    assert counts["actes"] == acts.count() == TrueProcessing.objects.count() > 300
    wrong = TrueProcessing.objects.exclude(error="")
    assert 0 < wrong.count() == counts["actes en erreur"] < counts["actes"] / 5
    # An act the truth calls right recorded the true amount; a wrong amount did not.
    right = TrueProcessing.objects.filter(error="")
    assert all(t.recorded_amount == t.true_amount for t in right)
    assert all(
        t.recorded_amount != t.true_amount
        for t in wrong.filter(error="wrong_amount")
        if t.true_amount
    )
    teams = selectors.teams_at(set(acts.values_list("agent_id", flat=True)), FIRST)
    assert len(set(teams.values())) == 4
    rates = true_rates(FIRST, dt.date(2022, 4, 1))
    assert rates["acts"] == counts["actes"]

    plan = verify(
        plan=PlanInput(
            name="Jumeau T1",
            period_start=FIRST,
            period_end=dt.date(2022, 4, 1),
            method="simple",
            size=60,
            seed=1,
        )
    )
    reviews = Review.objects.filter(item__plan=plan)
    assert reviews.count() == 60
    drawn_wrong = TrueProcessing.objects.filter(act_id__in=plan.items.values("act_id")).exclude(
        error=""
    )
    assert reviews.filter(in_error=True).count() == drawn_wrong.count()
    out = io.StringIO()
    call_command("quality", "estimate", "--year", "2022", stdout=out)
    text = out.getvalue()
    assert "part des actes en erreur" in text and "vraie valeur" not in text  # no domain reads it
    out = io.StringIO()
    with clock.frozen(dt.datetime(2023, 1, 3, 9), tick=dt.timedelta(microseconds=1)):
        call_command("twin", "verify", "--year", "2022", "--size", "60", "--seed", "1", stdout=out)
    text = out.getvalue()
    assert "part des actes en erreur" in text and "vraie valeur (jumeau" in text
    assert (
        f"{true_rates(dt.date(2022, 1, 1), dt.date(2023, 1, 1))['share']:.2%}".replace(".", ",")
        in text
    )
