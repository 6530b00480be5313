"""The twin's verifier and the true rates its estimates are compared with.

`verify` draws a plan through the quality app's real service and reviews each drawn act as a
verifier with the file's pieces would: an act the truth says is wrong is recorded in error
(nature from the truth, origin « agent »), with the true amount as the corrected fact, so that
the engine recomputes the months and gives the € impact. `true_rates` reads the truth of every
act of the period: the share really in error, which no sample sees whole."""

import datetime as dt

from justedroit.core import clock
from justedroit.core.models import User
from justedroit.core.roles import Role
from justedroit.quality.models import SamplingPlan
from justedroit.quality.services import Correction, PlanInput, plan_draw, review_record
from justedroit.twin.truth.models import TrueProcessing


def verifier() -> User:
    user, _ = User.objects.get_or_create(
        username="jumeau-verificateur",
        defaults={"role": Role.VERIFIER, "last_name": "Vérificateur du jumeau"},
    )
    return user


def verify(*, plan: PlanInput) -> SamplingPlan:
    """Draw `plan` and review every act it drew from the twin's truth."""
    user = verifier()
    drawn = plan_draw(plan=plan, acting_user=user)
    truths = {
        t.act_id: t
        for t in TrueProcessing.objects.filter(
            act_id__in=drawn.items.values("act_id")
        ).select_related("act")
    }
    for item in drawn.items.select_related("act").prefetch_related("act__act_facts__fact__person"):
        truth = truths.get(item.act_id)
        if truth is None or not truth.error:
            review_record(item=item, in_error=False, acting_user=user)
            continue
        fact = item.act.act_facts.all()[0].fact
        review_record(
            item=item,
            in_error=True,
            nature=truth.error,
            origin="agent",
            corrections=[
                Correction(
                    kind=fact.kind,
                    valid_from=truth.month,
                    valid_until=clock.add_months(truth.month, 1),
                    person=fact.person,
                    amount=truth.true_amount,
                )
            ],
            note="Vérification du jumeau : montant vrai tiré de sa vérité.",
            acting_user=user,
        )
    return drawn


def true_rates(start: dt.date, end: dt.date) -> dict:
    """The truth of every act processed in [start, end): how many, how many wrong."""
    midnight = dt.datetime.combine(start, dt.time(), tzinfo=clock.PARIS)
    until = dt.datetime.combine(end, dt.time(), tzinfo=clock.PARIS)
    truths = TrueProcessing.objects.filter(act__at__gte=midnight, act__at__lt=until)
    acts = truths.count()
    errors = truths.exclude(error="").count()
    return {"acts": acts, "errors": errors, "share": errors / acts if acts else None}
