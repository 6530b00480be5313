"""The twin's controllers: each month, after the Caf's cycle, they run the month's controls on
documents and on site through the control domain's real services, and the households answer
from their truth.

- The year's **random sample** (`random_sample_draw`, in January: a share of the year's controls
  on documents, `parameters.py`) gives the targeting model unbiased labels; its controls are
  worked through over the year, a twelfth a month.
- The **targeting model** is retrained (`targeting_model_train`) whenever the latest sample that
  can train one has more closed controls than its last version saw. Each month the covered
  households are scored with the current version (`targeting_scores_compute`) and the
  controller selects from the list, best scores first (`targeting_decide`: the score advises, the
  controller decides, the decision is logged): the highest for on-site controls, the next for
  controls on documents, up to the month's volumes (the report's yearly volumes, scaled). Before
  any version exists (the first months), households are drawn uniformly.
- The worklist also holds the controls the automated controls referred to a person.
- What a control finds: the household's **true resources** (salary, unemployment benefit,
  pension) over the months looked back at, where they differ from what it was paid on; its
  **true rent and occupancy status** the same way, always on site, with a chance on documents
  (rent receipts, the lease); an
  **undeclared vie maritale** (the partner's resources) and a **residence abroad**, always on
  site, with a chance on documents (bank statements, rent receipts). The controller notifies the
  findings, the household answers, and the controller closes the control establishing the facts
  (source « contrôle ») — the engine recomputes the paid months into rappels and indus linked to
  the control. Without findings the control closes « sans incidence ».
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q

from justedroit.controls.models import (
    Control,
    ControlKind,
    ControlOrigin,
    ControlStatus,
    RandomSample,
    ResponseChannel,
    TargetingDecisionKind,
    TargetingModel,
)
from justedroit.controls.selectors import current_model, targeting_list
from justedroit.controls.services import (
    Established,
    Settlement,
    control_open,
    control_response_record,
    controls_close,
    findings_notify,
    random_sample_draw,
    targeting_decide,
    targeting_model_train,
    targeting_scores_compute,
)
from justedroit.core import clock
from justedroit.core.models import User
from justedroit.core.roles import Role
from justedroit.registry.models import Fact, FactKind, FactSource, Person, Residence
from justedroit.registry.selectors import households_covered_on
from justedroit.twin.simulate.controls.parameters import PARAMETERS as P
from justedroit.twin.simulate.fraud.suspicion import controller_suspects
from justedroit.twin.truth.models import TrueKind, TruePeriod

RESOURCES = (TrueKind.SALARY, TrueKind.UNEMPLOYMENT_BENEFIT, TrueKind.PENSION)
HOUSING = (TrueKind.RENT, TrueKind.HOUSING_STATUS)
ZERO = Decimal("0.00")
ANSWER = "Pièces justificatives transmises (bulletins, attestations) et observations."
MIN_TRAINING = 30  # what `targeting_model_train` requires


def controller() -> User:
    user, _ = User.objects.get_or_create(
        username="jumeau-controleur",
        defaults={"role": Role.CONTROLLER, "last_name": "Contrôleur du jumeau"},
    )
    return user


def controls_month(month: dt.date, *, seed: int, scale: float) -> dict:
    """The month's controls on documents and on site, opened (sampled, targeted or drawn) and
    closed; then the targeting model retrained on the sample's outcomes."""
    user = controller()
    counts: dict[str, int] = defaultdict(int)
    sample = _sample(month, seed, scale, user)
    worklist = [c for c in _open_controls() if _due(c, month, sample)]
    wanted = {}
    for kind, per_year in (
        (ControlKind.ON_SITE, P.on_site_per_year),
        (ControlKind.DOCUMENTS, P.documents_per_year),
    ):
        opened = sum(1 for c in worklist if c.kind == kind)
        wanted[kind] = max(0, _monthly(per_year, scale, month) - opened)
    model = current_model()
    if model is not None:
        worklist += _targeted(model, wanted, user)
        counts["cibles"] = sum(wanted.values())
    else:
        worklist += _drawn_controls(month, seed, wanted, user)
    for control in controls_settle_from_truth(worklist, month, user):
        counts[f"{control.kind}_{control.outcome}"] += 1
    if _retrain(user):
        counts["modele_entraine"] = 1
    return dict(counts)


def _open_controls() -> list[Control]:
    return list(
        Control.objects.filter(kind__in=(ControlKind.DOCUMENTS, ControlKind.ON_SITE))
        .exclude(status=ControlStatus.CLOSED)
        .select_related("household")
        .order_by("opened_at", "id")
    )


def _sample(month: dt.date, seed: int, scale: float, user: User) -> RandomSample | None:
    """The year's random sample, drawn in January (or the first month simulated of the year)."""
    size = round(P.documents_per_year * scale * P.random_sample_share)
    if size <= 0:
        return None
    return random_sample_draw(
        year=month.year,
        size=size,
        kind=ControlKind.DOCUMENTS,
        seed=seed * 10_000 + month.year,
        acting_user=user,
        reference_day=dt.date(month.year, 1, 1),
    )


def _due(control: Control, month: dt.date, sample: RandomSample | None) -> bool:
    """A control of the year's random sample waits for its month (a twelfth of the sample a
    month, in the order drawn); every other open control is worked this month."""
    if control.origin != ControlOrigin.RANDOM_SAMPLE or sample is None:
        return True
    order = list(sample.controls.order_by("id").values_list("id", flat=True))
    if control.pk not in order:
        return True  # an earlier year's sample, late
    return order.index(control.pk) < round(len(order) * month.month / 12)


def _targeted(model: TargetingModel, wanted: dict[str, int], user: User) -> list[Control]:
    """Score the covered households and select from the list, best scores first: on site for
    the highest, then on documents."""
    if not any(wanted.values()):
        return []
    targeting_scores_compute(model=model, acting_user=user)
    scores = list(targeting_list(model, limit=sum(wanted.values())))
    kinds = [ControlKind.ON_SITE] * wanted[ControlKind.ON_SITE] + [ControlKind.DOCUMENTS] * (
        wanted[ControlKind.DOCUMENTS]
    )
    opened = []
    for score, kind in zip(scores, kinds, strict=False):
        decision = targeting_decide(
            score=score,
            decision=TargetingDecisionKind.SELECTED,
            acting_user=user,
            kind=kind,
            reason="plan de contrôle (jumeau)",
        )
        if decision.control is not None:
            opened.append(decision.control)
    return opened


def _drawn_controls(month: dt.date, seed: int, wanted: dict[str, int], user: User) -> list[Control]:
    """Before any targeting model: households drawn uniformly (stable per household and month)."""
    busy = {c.household_id for c in _open_controls()}
    opened = []
    for kind, count in wanted.items():
        for household in _drawn(month, seed, count, busy, salt=len(kind)):
            busy.add(household.pk)
            opened.append(
                control_open(
                    household=household,
                    kind=kind,
                    origin=ControlOrigin.TARGETING,
                    acting_user=user,
                    reason="plan de contrôle (jumeau, tirage uniforme faute de modèle)",
                    month=month,
                    controller=user,
                )
            )
    return opened


def _retrain(user: User) -> bool:
    """Train a new version on the latest sample with enough closed controls, when it has more
    than its last version saw. False when nothing new or when the sample cannot train one (no
    material indu among its outcomes yet)."""
    for sample in RandomSample.objects.order_by("-year"):
        closed = sample.controls.filter(status=ControlStatus.CLOSED).count()
        if closed < MIN_TRAINING:
            continue
        if TargetingModel.objects.filter(sample=sample, training_size__gte=closed).exists():
            return False
        try:
            targeting_model_train(year=sample.year, acting_user=user)
        except ValidationError:
            continue
        return True
    return False


def _monthly(per_year: int, scale: float, month: dt.date) -> int:
    """This month's share of the yearly volume, the remainders spread over the year."""
    yearly = per_year * scale
    return round(yearly * month.month / 12) - round(yearly * (month.month - 1) / 12)


def _drawn(month: dt.date, seed: int, wanted: int, busy: set[int], salt: int) -> list:
    if wanted <= 0:
        return []
    covered = [h for h in households_covered_on(month) if h.pk not in busy]
    covered.sort(key=lambda h: _hash(h.pk, month, seed, salt))
    return covered[:wanted]


def _hash(household_id: int, month: dt.date, seed: int, salt: int) -> int:
    return (household_id * 2654435761 + month.toordinal() * 40503 + seed * 97 + salt) % 2**32


def controls_settle_from_truth(controls: list[Control], month: dt.date, user: User) -> list:
    """The households' documents reveal their true resources (and, when this control finds them,
    their true rent and occupancy status, an undeclared vie maritale or residence abroad); the
    controller notifies the findings where they differ from what each was paid on, then closes
    the controls together, establishing the true amounts (`controls_close`: one recomputation
    for all the households). Returns the closed controls."""
    closings = []
    for control in controls:
        established = (
            findings(control.household_id, month)
            + situation_findings(control.household_id, month, control.kind)
            + housing_findings(control.household_id, month, control.kind)
        )
        if established:
            findings_notify(
                control=control,
                findings="\n".join(_finding_line(e) for e in established),
                acting_user=user,
            )
            control_response_record(
                control=control, text=ANSWER, channel=ResponseChannel.PAPER, acting_user=user
            )
        closings.append(
            Settlement(
                control,
                established,
                suspected_fraud=controller_suspects(control, established),
                note="Clôture par le contrôleur du jumeau, pièces examinées.",
            )
        )
    return controls_close(closings=closings, acting_user=user)


def _finding_line(e: Established) -> str:
    until = f"{e.until:%m/%Y}" if e.until is not None else "…"
    value = f"{e.amount} €" if e.amount is not None else e.code
    return f"{FactKind(e.kind).label} {e.first_month:%m/%Y}–{until} : {value}"


def situation_findings(household_id: int, month: dt.date, kind: str) -> list[Established]:
    """An undeclared vie maritale or residence abroad true in `month` that the Caf does not know
    yet, when this control finds it (on site always, on documents with a chance stable per
    household and month): established from its true start (at most `situation_look_back_months`
    back), open-ended."""
    first = clock.add_months(month, -P.situation_look_back_months + 1)
    true = {
        kind_: (start, amount)
        for kind_, start, amount in TruePeriod.objects.filter(
            Q(month_until__isnull=True) | Q(month_until__gt=month),
            household_id=household_id,
            person=None,
            kind__in=(TrueKind.PARTNER, TrueKind.ABROAD),
            month_from__lte=month,
        )
        .order_by("month_from", "id")
        .values_list("kind", "month_from", "amount")
    }
    if not true:
        return []
    known = set(
        Fact.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=month),
            household_id=household_id,
            valid_from__lte=month,
            source__in=(FactSource.CONTROL, FactSource.AGENT, FactSource.DECLARATION),
        )
        .filter(
            Q(kind=FactKind.PARTNER_RESOURCES) | Q(kind=FactKind.RESIDENCE, code=Residence.ABROAD)
        )
        .values_list("kind", flat=True)
    )
    found = []
    if TrueKind.PARTNER in true and FactKind.PARTNER_RESOURCES not in known:
        start, amount = true[TrueKind.PARTNER]
        if _finds(household_id, month, kind, P.documents_find_couple, salt=1):
            found.append(
                Established(
                    FactKind.PARTNER_RESOURCES, max(start, first), None, amount=amount or ZERO
                )
            )
    if TrueKind.ABROAD in true and FactKind.RESIDENCE not in known:
        start, _ = true[TrueKind.ABROAD]
        if _finds(household_id, month, kind, P.documents_find_abroad, salt=2):
            found.append(
                Established(FactKind.RESIDENCE, max(start, first), None, code=Residence.ABROAD)
            )
    return found


def _finds(household_id: int, month: dt.date, kind: str, on_documents: float, salt: int) -> bool:
    if kind == ControlKind.ON_SITE:
        return True
    return _hash(household_id, month, 0, salt) / 2**32 < on_documents


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
        _paid_on(household_id, RESOURCES, first, month)
        .exclude(person=None)
        .values_list("person_id", "kind", "valid_from", "valid_until", "amount"),
        first,
        month,
    )
    differing = {
        key: amount
        for key in set(true) | set(paid)
        if abs((amount := true.get(key, ZERO)) - paid.get(key, ZERO))
        >= Decimal(str(P.tolerance_euros))
    }
    persons = {p.pk: p for p in Person.objects.filter(pk__in={k[0] for k in differing})}
    return [
        Established(kind, start, until, persons[person_id], amount)
        for person_id, kind, start, until, amount in _runs(differing)
    ]


def housing_findings(household_id: int, month: dt.date, kind: str) -> list[Established]:
    """The household's true rent and occupancy status over the months looked back at, where they
    differ from what it was paid on, when this control sees them (on site always; on documents —
    rent receipts, the lease — with a chance stable per household and month). A run that reaches
    `month` is established open-ended: the controller records the situation as it now is."""
    if not _finds(household_id, month, kind, P.documents_find_housing, salt=3):
        return []
    first = clock.add_months(month, -P.look_back_months)
    true = _by_month(
        _housing_values(
            TruePeriod.objects.filter(household_id=household_id, person=None, kind__in=HOUSING)
            .filter(Q(month_until__isnull=True) | Q(month_until__gt=first), month_from__lte=month)
            .order_by("month_from", "-origin", "id")
            .values_list("person_id", "kind", "month_from", "month_until", "amount", "code")
        ),
        first,
        month,
    )
    paid = _by_month(
        _housing_values(
            _paid_on(household_id, HOUSING, first, month)
            .filter(person=None)
            .values_list("person_id", "kind", "valid_from", "valid_until", "amount", "code")
        ),
        first,
        month,
    )
    differing = {
        key: value
        for key, value in true.items()
        if key in paid
        and (
            abs(value - paid[key]) >= Decimal(str(P.tolerance_euros))
            if key[1] == TrueKind.RENT
            else value != paid[key]
        )
    }
    following = clock.add_months(month, 1)
    return [
        Established(
            kind_,
            start,
            None if until == following else until,
            amount=value if kind_ == TrueKind.RENT else None,
            code="" if kind_ == TrueKind.RENT else value,
        )
        for _, kind_, start, until, value in _runs(differing)
    ]


def _paid_on(household_id: int, kinds, first: dt.date, month: dt.date):
    """The facts the Caf paid on (declared, entered or established, not exchanged) that cover
    months from `first` to `month`, the latest recorded last."""
    return (
        Fact.objects.filter(household_id=household_id, kind__in=kinds)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=first), valid_from__lte=month)
        .exclude(source=FactSource.PARTNER_EXCHANGE)
        .order_by("recorded_at", "id")
    )


def _housing_values(rows):
    """(person, kind, from, until, amount, code) → (person, kind, from, until, value): the rent's
    amount, the status's code."""
    for person_id, kind, start, until, amount, code in rows:
        yield person_id, kind, start, until, amount if kind == TrueKind.RENT else code


def _runs(values: dict[tuple, object]) -> list[tuple]:
    """(subject, kind, first month, until excluded, value) from (subject, kind, month) → value:
    consecutive months of one subject, kind and value merged."""
    runs: list[tuple] = []
    for (subject, kind, current), value in sorted(values.items(), key=lambda item: item[0]):
        following = clock.add_months(current, 1)
        if runs and runs[-1][:2] == (subject, kind) and runs[-1][3:] == (current, value):
            runs[-1] = (subject, kind, runs[-1][2], following, value)
        else:
            runs.append((subject, kind, current, following, value))
    return runs


def _by_month(rows, first: dt.date, last: dt.date) -> dict[tuple, object]:
    """(person, kind, month) → value, the last row covering the month winning (an amount left
    empty reads as zero)."""
    values: dict[tuple, object] = {}
    for person_id, kind, start, until, value in rows:
        current = max(start, first)
        while current <= last and (until is None or current < until):
            values[(person_id, kind, current)] = ZERO if value is None else value
            current = clock.add_months(current, 1)
    return values
