"""The twin's controllers: each month, after the Caf's cycle, they run the month's controls on
documents and on site through the control domain's real services, and the households answer
from their truth.

- The worklist: the controls on documents or on site already open (the automated controls that
  referred a discrepancy to a person, the random sample), then households drawn among those
  covered, up to the month's volume (`parameters.py`: the report's yearly volumes, scaled). The
  draw is uniform (stable per household and month); the targeting model is not used yet.
- The household's documents show its true resources (salary, unemployment benefit, pension) for
  the months looked back at: where they differ from what the household was paid on, the
  controller notifies the findings, the household answers, and the controller closes the
  control establishing the true amounts — the engine recomputes the paid months into rappels
  and indus linked to the control. Without findings the control closes « sans incidence ».

The truth's undeclared partner and departure abroad are not found yet: the registry has no fact
for them (a member to add, a claim to end), left for a later step (docs/twin.md).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from justedroit.controls.models import (
    Control,
    ControlKind,
    ControlOrigin,
    ControlStatus,
    ResponseChannel,
)
from justedroit.controls.services import (
    Established,
    Settlement,
    control_open,
    control_response_record,
    controls_close,
    findings_notify,
)
from justedroit.core import clock
from justedroit.core.models import User
from justedroit.core.roles import Role
from justedroit.registry.models import Fact, FactSource, Person
from justedroit.registry.selectors import households_covered_on
from justedroit.twin.simulate.controls.parameters import PARAMETERS as P
from justedroit.twin.truth.models import TrueKind, TruePeriod

RESOURCES = (TrueKind.SALARY, TrueKind.UNEMPLOYMENT_BENEFIT, TrueKind.PENSION)
ANSWER = "Pièces justificatives transmises (bulletins, attestations) et observations."


def controller() -> User:
    user, _ = User.objects.get_or_create(
        username="jumeau-controleur",
        defaults={"role": Role.CONTROLLER, "last_name": "Contrôleur du jumeau"},
    )
    return user


def controls_month(month: dt.date, *, seed: int, scale: float) -> dict:
    """The month's controls on documents and on site, opened (when drawn) and closed."""
    user = controller()
    counts: dict[str, int] = defaultdict(int)
    worklist = list(
        Control.objects.filter(kind__in=(ControlKind.DOCUMENTS, ControlKind.ON_SITE))
        .exclude(status=ControlStatus.CLOSED)
        .select_related("household")
        .order_by("opened_at", "id")
    )
    busy = {c.household_id for c in worklist}
    for kind, per_year in (
        (ControlKind.DOCUMENTS, P.documents_per_year),
        (ControlKind.ON_SITE, P.on_site_per_year),
    ):
        opened = sum(1 for c in worklist if c.kind == kind)
        wanted = max(0, _monthly(per_year, scale, month) - opened)
        for household in _drawn(month, seed, wanted, busy, salt=len(kind)):
            busy.add(household.pk)
            worklist.append(
                control_open(
                    household=household,
                    kind=kind,
                    origin=ControlOrigin.TARGETING,
                    acting_user=user,
                    reason="plan de contrôle (jumeau)",
                    month=month,
                    controller=user,
                )
            )
    for control in controls_settle_from_truth(worklist, month, user):
        counts[f"{control.kind}_{control.outcome}"] += 1
    return dict(counts)


def _monthly(per_year: int, scale: float, month: dt.date) -> int:
    """This month's share of the yearly volume, the remainders spread over the year."""
    yearly = per_year * scale
    return round(yearly * month.month / 12) - round(yearly * (month.month - 1) / 12)


def _drawn(month: dt.date, seed: int, wanted: int, busy: set[int], salt: int) -> list:
    if wanted <= 0:
        return []
    covered = [h for h in households_covered_on(month) if h.pk not in busy]
    covered.sort(
        key=lambda h: (h.pk * 2654435761 + month.toordinal() * 40503 + seed * 97 + salt) % 2**32
    )
    return covered[:wanted]


def controls_settle_from_truth(controls: list[Control], month: dt.date, user: User) -> list:
    """The households' documents reveal their true resources; the controller notifies the
    findings where they differ from what each was paid on, then closes the controls together,
    establishing the true amounts (`controls_close`: one recomputation for all the households).
    Returns the closed controls."""
    closings = []
    for control in controls:
        established = findings(control.household_id, month)
        if established:
            findings_notify(
                control=control,
                findings="\n".join(
                    f"{e.kind} {e.first_month:%m/%Y}–{e.until:%m/%Y} : {e.amount} €"
                    for e in established
                ),
                acting_user=user,
            )
            control_response_record(
                control=control, text=ANSWER, channel=ResponseChannel.PAPER, acting_user=user
            )
        closings.append(
            Settlement(
                control,
                established,
                note="Clôture par le contrôleur du jumeau, pièces examinées.",
            )
        )
    return controls_close(closings=closings, acting_user=user)


def findings(household_id: int, month: dt.date) -> list[Established]:
    """Per person and resource, the months (looked back from `month`) whose true amount differs
    from the amount paid on, grouped into runs of one amount."""
    first = clock.add_months(month, -P.look_back_months)
    true = _by_month(
        TruePeriod.objects.filter(household_id=household_id, kind__in=RESOURCES)
        .filter(Q(month_until__isnull=True) | Q(month_until__gt=first), month_from__lte=month)
        .exclude(person=None)
        .order_by("month_from", "-origin", "id")
        .values_list("person_id", "kind", "month_from", "month_until", "amount"),
        first,
        month,
    )
    paid = _by_month(
        Fact.objects.filter(household_id=household_id, kind__in=RESOURCES)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=first), valid_from__lte=month)
        .exclude(person=None)
        .exclude(source=FactSource.PARTNER_EXCHANGE)
        .order_by("recorded_at", "id")
        .values_list("person_id", "kind", "valid_from", "valid_until", "amount"),
        first,
        month,
    )
    persons = {p.pk: p for p in Person.objects.filter(pk__in={k[0] for k in true | paid})}
    runs: list[Established] = []
    for key in sorted(set(true) | set(paid)):
        person_id, kind, current = key
        amount = true.get(key, Decimal("0.00"))
        if abs(amount - paid.get(key, Decimal("0.00"))) < Decimal(str(P.tolerance_euros)):
            continue
        following = clock.add_months(current, 1)
        last = runs[-1] if runs else None
        if (
            last is not None
            and last.person is not None
            and (last.person.pk, last.kind, last.until, last.amount)
            == (person_id, kind, current, amount)
        ):
            runs[-1] = Established(kind, last.first_month, following, last.person, amount)
        else:
            runs.append(Established(kind, current, following, persons[person_id], amount))
    return runs


def _by_month(rows, first: dt.date, last: dt.date) -> dict[tuple, Decimal]:
    """(person, kind, month) → amount, the last row covering the month winning."""
    values: dict[tuple, Decimal] = {}
    for person_id, kind, start, until, amount in rows:
        current = max(start, first)
        while current <= last and (until is None or current < until):
            values[(person_id, kind, current)] = amount or Decimal("0.00")
            current = clock.add_months(current, 1)
    return values
