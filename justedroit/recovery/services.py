"""Writes of the debt ledger. Every movement goes through `_entry_add`, which locks the debt and
refuses one that would make its balance negative; every service is atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.core.money import CENT, format_euros
from justedroit.entitlements.models import Adjustment, Payment, Run
from justedroit.recovery import letters, selectors
from justedroit.recovery import parameters as law
from justedroit.recovery import retention as scale
from justedroit.recovery.models import (
    ContentiousStep,
    Debt,
    DebtEntry,
    DebtFraudFound,
    DebtIndu,
    DebtOrigin,
    EntryKind,
    LetterKind,
    MonthlyRetention,
    PlanStatus,
    RepaymentPlan,
    Stage,
    Suspension,
    Withholding,
)
from justedroit.registry.models import Household
from justedroit.rules.situation import PAYING_STATUSES

ZERO = Decimal("0.00")
# Movements an agent records by hand (retentions come from the payment run, prescription from its
# batch, notification from `debts_notify`).
MANUAL = (
    EntryKind.REPAID,
    EntryKind.REMITTED,
    EntryKind.CANCELLED,
    EntryKind.ERASED,
    EntryKind.WRITTEN_OFF,
    EntryKind.TRANSFERRED,
)


def _entry_add(
    debt: Debt,
    *,
    kind: str,
    amount: Decimal,
    on: dt.date,
    acting_user: User | None,
    reason: str = "",
    reference: str = "",
    creditor_consent: bool = False,
) -> DebtEntry:
    """One movement of a locked debt; the caller holds the transaction."""
    if kind == EntryKind.NOTIFIED or kind not in EntryKind.values:
        raise ValidationError("Mouvement inconnu.")
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationError("Le montant doit être positif, en euros et centimes.")
    if kind == EntryKind.REMITTED and debt.is_fraud:
        raise ValidationError(
            "Remise refusée : une dette née d'une fraude ou d'une fausse déclaration ne peut pas "
            "être remise (L553-2 CSS)."
        )
    if kind == EntryKind.ERASED and debt.is_fraud and not creditor_consent:
        raise ValidationError(
            "Effacement refusé : une dette frauduleuse ne s'efface qu'avec l'accord de la Caf "
            "créancière (L711-4 du code de la consommation)."
        )
    if debt.origin == DebtOrigin.PENALTY:
        rules = law.penalty_recovery(on)
        if kind == EntryKind.REMITTED and not rules.remission:
            raise ValidationError(
                f"Remise refusée : une pénalité n'est pas un indu ({rules.remission_article})."
            )
        if kind == EntryKind.ERASED and rules.erasure_needs_consent and not creditor_consent:
            raise ValidationError(
                "Effacement refusé : une pénalité ne s'efface qu'avec l'accord de la Caf "
                f"créancière ({rules.erasure_article})."
            )
    Debt.objects.select_for_update().filter(pk=debt.pk).first()  # serialise the debt's movements
    owed = selectors.balance(debt)
    if amount > owed:
        raise ValidationError(
            f"Mouvement refusé : {format_euros(amount)} dépasse le solde de la dette "
            f"({format_euros(owed)}) ; le solde ne peut pas devenir négatif."
        )
    entry = DebtEntry.objects.create(
        debt=debt,
        kind=kind,
        amount=amount,
        on=on,
        recorded_at=clock.now(),
        recorded_by=acting_user,
        reason=reason,
        reference=reference,
    )
    if amount == owed:
        RepaymentPlan.objects.filter(debt=debt, status=PlanStatus.ACTIVE).update(
            status=PlanStatus.COMPLETED
        )
    return entry


def debt_movement_record(
    *,
    debt: Debt,
    kind: str,
    amount: Decimal,
    on: dt.date,
    acting_user: User | None,
    reason: str = "",
    reference: str = "",
    creditor_consent: bool = False,
) -> DebtEntry:
    """An agent's movement on a debt (direct repayment received, CRA remission, cancellation,
    erasure, write-off, transfer): refused, with a French message, if it would make the balance
    negative or the law excludes it."""
    if kind not in MANUAL:
        raise ValidationError("Ce mouvement ne se saisit pas à la main.")
    if on > clock.today():
        raise ValidationError("La date d'effet ne peut pas être dans le futur.")
    with transaction.atomic():
        entry = _entry_add(
            debt,
            kind=kind,
            amount=amount,
            on=on,
            acting_user=acting_user,
            reason=reason,
            reference=reference,
            creditor_consent=creditor_consent,
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=debt.household.number,
            reason=reason,
            detail={"dette": debt.pk, "mouvement": kind, "montant": str(amount)},
        )
    return entry


# ---- notification -------------------------------------------------------------------------------
def debts_notify(
    *,
    adjustments: Iterable[Adjustment] | None = None,
    acting_user: User | None,
    origin: str = DebtOrigin.RECOMPUTE,
    fraud: bool = False,
    discovered_on: dt.date | None = None,
    reason: str = "",
) -> dict:
    """Turn indus not yet in a debt into debts: one per household × benefit notified together,
    with its notification entry; an indu below the small-indu threshold of its benefit (D133-2,
    D847-2 CSS; R262-92 CASF) is recorded and waived at once; a letter per household for the
    others. All indus not yet notified when `adjustments` is None. Idempotent: an indu belongs to
    one debt at most (unique in the database)."""
    if fraud and discovered_on is None:
        raise ValidationError("Une dette frauduleuse exige la date de découverte de la fraude.")
    pending = selectors.pending_indus()
    if adjustments is not None:
        pending = pending.filter(pk__in=[a.pk for a in adjustments])
    groups: dict[tuple[int, str], list[Adjustment]] = defaultdict(list)
    for adjustment in pending.order_by("household_id", "benefit", "month"):
        groups[(adjustment.household_id, adjustment.benefit)].append(adjustment)
    counts = {"debts": 0, "waived": 0, "letters": 0}
    if not groups:
        return counts
    today, now = clock.today(), clock.now()
    first_paid = _first_payments(groups)
    with transaction.atomic():
        Household.objects.select_for_update().filter(
            pk__in=sorted({h for h, _ in groups})
        ).order_by("pk").first()
        by_household: dict[int, list[Debt]] = defaultdict(list)
        for (household_id, benefit), indus in groups.items():
            total = sum((a.amount for a in indus), ZERO)
            debt = Debt.objects.create(
                household_id=household_id,
                benefit=benefit,
                origin=origin,
                reason=reason or indus[0].reason or "Recalcul des droits",
                fraud=fraud,
                first_month=indus[0].month,
                last_month=indus[-1].month,
                notified_on=today,
                prescription_from=(
                    discovered_on
                    if fraud and discovered_on is not None
                    else first_paid[(household_id, benefit)]
                ),
                created_at=now,
                created_by=acting_user,
            )
            DebtIndu.objects.bulk_create(DebtIndu(debt=debt, adjustment=a) for a in indus)
            _notified(debt, total, now, acting_user)
            counts["debts"] += 1
            threshold = law.small_indu_threshold(benefit, today.year)
            if threshold is not None and total < threshold[0] and not fraud:
                DebtEntry.objects.create(
                    debt=debt,
                    kind=EntryKind.WAIVED,
                    amount=total,
                    on=today,
                    recorded_at=now,
                    reason=(
                        f"Indu inférieur au seuil de {format_euros(threshold[0])} ({threshold[1]})"
                    ),
                )
                counts["waived"] += 1
                continue
            by_household[household_id].append(debt)
        households = Household.objects.in_bulk(list(by_household))
        for household_id, debts in by_household.items():
            letters.letter_queue(
                household=households[household_id], kind=LetterKind.NOTIFICATION, debts=debts
            )
            audit_record(
                actor=acting_user,
                action=AuditAction.CREATE,
                household_number=households[household_id].number,
                reason=reason or "Notification d'indus",
                detail={"dettes": [d.pk for d in debts]},
            )
        counts["letters"] = len(by_household)
    return counts


def debts_fraud_found(
    *,
    adjustment_ids: Iterable[int],
    discovered_on: dt.date,
    reason: str,
    acting_user: User | None,
) -> list[Debt]:
    """The debts already notified that hold some of these indus become fraud debts: a fraud file
    qualified the indus fraud or false declaration after their notification (L553-1, L553-2 CSS).
    A debt already a fraud debt is left as it is (idempotent: one finding per debt, unique in the
    database). Inside the caller's transaction when there is one."""
    holding = DebtIndu.objects.filter(adjustment_id__in=list(adjustment_ids)).values("debt_id")
    now = clock.now()
    with transaction.atomic():
        locked = list(
            Debt.objects.select_for_update()
            .filter(pk__in=holding, fraud=False)
            .select_related("household")
            .order_by("pk")
        )
        known = set(
            DebtFraudFound.objects.filter(debt__in=locked).values_list("debt_id", flat=True)
        )
        found = [debt for debt in locked if debt.pk not in known]
        DebtFraudFound.objects.bulk_create(
            DebtFraudFound(
                debt=debt,
                discovered_on=discovered_on,
                reason=reason[:300],
                recorded_at=now,
                recorded_by=acting_user,
            )
            for debt in found
        )
        by_household: dict[str, list[int]] = defaultdict(list)
        for debt in found:
            by_household[debt.household.number].append(debt.pk)
        for number, debt_ids in by_household.items():
            audit_record(
                actor=acting_user,
                action=AuditAction.UPDATE,
                household_number=number,
                reason=reason,
                detail={"dettes reconnues frauduleuses": debt_ids},
            )
    return found


def penalty_debt_notify(
    *,
    household: Household,
    benefit: str,
    amount: Decimal,
    decided_on: dt.date,
    reason: str,
    acting_user: User | None,
) -> Debt:
    """An administrative penalty left unpaid after its deadline becomes a debt of origin
    « pénalité », recovered like the others (retention on benefits as L114-17 I CSS allows, the
    contentious path), never waived as a small indu nor remitted (`law.PENALTY_RECOVERY`). Its
    notification is the director's decision already sent: no letter here. Prescription runs from
    that decision. Inside the caller's transaction when there is one."""
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationError("Le montant doit être positif, en euros et centimes.")
    today, now = clock.today(), clock.now()
    with transaction.atomic():
        month = decided_on.replace(day=1)
        debt = Debt.objects.create(
            household=household,
            benefit=benefit,
            origin=DebtOrigin.PENALTY,
            reason=reason[:300],
            fraud=False,
            first_month=month,
            last_month=month,
            notified_on=today,
            prescription_from=decided_on,
            created_at=now,
            created_by=acting_user,
        )
        _notified(debt, amount, now, acting_user)
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=household.number,
            reason=debt.reason,
            detail={"dette": debt.pk, "origine": DebtOrigin.PENALTY, "montant": str(amount)},
        )
    return debt


def _notified(debt: Debt, amount: Decimal, now: dt.datetime, acting_user: User | None) -> None:
    """The ledger's first entry: the debt notified for its amount on its notification day."""
    DebtEntry.objects.create(
        debt=debt,
        kind=EntryKind.NOTIFIED,
        amount=amount,
        on=debt.notified_on,
        recorded_at=now,
        recorded_by=acting_user,
        reason=debt.reason,
    )


def _first_payments(groups) -> dict[tuple[int, str], dt.date]:
    """Household × benefit → the date of the first payment of its indus' months (prescription runs
    from each payment, L553-1 CSS: the earliest is the debtor's safe side); the first indu month
    when no payment row exists."""
    months = {key: {a.month for a in indus} for key, indus in groups.items()}
    out = {key: indus[0].month for key, indus in groups.items()}
    for household_id, benefit, month, paid_at in Payment.objects.filter(
        household_id__in={h for h, _ in groups},
        month__in={m for ms in months.values() for m in ms},
    ).values_list("household_id", "benefit", "month", "paid_at"):
        key = (household_id, benefit)
        if month in months.get(key, ()):
            out[key] = min(out[key], paid_at.astimezone(clock.PARIS).date())
    return out


# ---- retentions in the payment run --------------------------------------------------------------
def _situation(household_input, result) -> scale.Situation:
    """What the scale reads, from the payment run's own inputs and results (no second query)."""
    status = household_input.housing_status
    housing = (household_input.rent if status in PAYING_STATUSES else ZERO) if status else None
    roles = [p.family_role for p in household_input.persons]
    return scale.Situation(
        annual_resources=household_input.fiscal_income_n2,
        benefits_of_month=sum((result.paid(b) for b in result.amounts), ZERO),
        housing_cost=housing,
        couple="spouse" in roles,
        children=roles.count("child"),
    )


def retentions_on_payments(run: Run, paid: Sequence[tuple[int, object, object]]) -> int:
    """The payment run's hook (`month_run(after_store=...)`), in the transaction that stores a
    chunk of payments: for each household of the chunk with open debts (not under a repayment
    plan), the month's one retention (D553-1..4) taken from its payments (L553-2), recorded as a
    `MonthlyRetention`, a `Withholding` per payment and a retention entry per debt. `paid`: the
    chunk's (household id, its input, its result). Returns the households retained on."""
    by_household = {household_id: (i, r) for household_id, i, r in paid}
    # Lock the chunk's debts first (an agent's entry waits), then read their balances once.
    locked = list(
        Debt.objects.select_for_update()
        .filter(household_id__in=list(by_household))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not locked:
        return 0
    debts = selectors.open_debts_of(by_household)
    planned = set(
        RepaymentPlan.objects.filter(debt_id__in=locked, status=PlanStatus.ACTIVE).values_list(
            "debt_id", flat=True
        )
    ) | selectors.suspended(locked)
    payments: dict[int, dict[str, Payment]] = defaultdict(dict)
    for payment in Payment.objects.filter(month=run.month, household_id__in=list(debts)):
        payments[payment.household_id][payment.benefit] = payment
    previous = dict(
        MonthlyRetention.objects.filter(
            month=clock.add_months(run.month, -1), household_id__in=list(debts)
        ).values_list("household_id", "base")
    )
    frauds = selectors.fraud_households_before(debts)
    penalties_retained = law.penalty_recovery(run.month).retained_on_benefits
    law_scale, _ = law.scale_for(run.month.year)
    now, today = clock.now(), clock.today()
    outcomes: list[tuple[MonthlyRetention, dict[str, Payment], scale.Outcome]] = []
    for household_id, lines in debts.items():
        open_debts = [
            scale.OpenDebt(d.pk, d.notified_on, owed, _uplift(d, frauds[household_id]))
            for d, owed in lines
            if d.pk not in planned and (penalties_retained or d.origin != DebtOrigin.PENALTY)
        ]
        mine = payments.get(household_id, {})
        if not open_debts or not mine:
            continue
        outcome = scale.household_retention(
            situation=_situation(*by_household[household_id]),
            debts=open_debts,
            payments={b: p.amount for b, p in mine.items()},
            scale=law_scale,
            previous_base=previous.get(household_id),
        )
        if outcome.total > 0:
            record = MonthlyRetention(
                household_id=household_id,
                month=run.month,
                run=run,
                monthly_income=outcome.basis.monthly_income,
                weighting=outcome.basis.weighting,
                weighted_income=outcome.basis.weighted_income,
                deemed=outcome.basis.deemed,
                scale_year=law_scale.year,
                computed=outcome.basis.amount,
                base=outcome.base,
                total=outcome.total,
            )
            outcomes.append((record, mine, outcome))
    # Three inserts for the whole chunk, whatever the number of debtors.
    MonthlyRetention.objects.bulk_create([record for record, _, _ in outcomes])
    Withholding.objects.bulk_create(
        Withholding(retention=record, payment=mine[benefit], amount=amount)
        for record, mine, outcome in outcomes
        for benefit, amount in outcome.by_benefit.items()
    )
    reason = f"Retenue sur les prestations de {run.month:%m/%Y}"
    DebtEntry.objects.bulk_create(
        DebtEntry(
            debt_id=debt_id,
            kind=EntryKind.RETAINED,
            amount=amount,
            on=today,
            recorded_at=now,
            retention=record,
            reason=reason,
        )
        for record, _, outcome in outcomes
        for debt_id, amount in outcome.by_debt.items()
    )
    return len(outcomes)


def _uplift(debt: Debt, fraud_dates: list[dt.date]) -> Decimal:
    """L553-2 / D553-5: +50 % on a fraud debt, +100 % when another fraud debt of the household
    was notified in the 5 years before it."""
    if not debt.is_fraud:
        return ZERO
    since = law.add_years(debt.notified_on, -law.FRAUD_REPEAT_YEARS)
    if sum(1 for day in fraud_dates if since <= day <= debt.notified_on) > 1:
        return law.FRAUD_REPEAT_UPLIFT
    return law.FRAUD_UPLIFT


# ---- repayment plans ----------------------------------------------------------------------------
def plan_grant(
    *,
    debt: Debt,
    months: int,
    first_due: dt.date,
    acting_user: User | None,
    decision: str = "",
) -> RepaymentPlan:
    """A plan repaying the debt's balance in `months` monthly instalments (the last adjusted).
    More than 12 months only with a written, reasoned decision of the agent; it replaces an active
    plan of the debt."""
    if months < 1:
        raise ValidationError("Un plan compte au moins une échéance.")
    if months > law.PLAN_MONTHS_DEFAULT_MAX and not decision.strip():
        raise ValidationError(
            f"Au-delà de {law.PLAN_MONTHS_DEFAULT_MAX} mois, le plan exige une décision motivée "
            "de l'agent."
        )
    if first_due.day != 1:
        first_due = first_due.replace(day=1)
    with transaction.atomic():
        Debt.objects.select_for_update().filter(pk=debt.pk).first()
        owed = selectors.balance(debt)
        if owed <= 0:
            raise ValidationError("La dette est soldée : pas de plan de remboursement.")
        RepaymentPlan.objects.filter(debt=debt, status=PlanStatus.ACTIVE).update(
            status=PlanStatus.REPLACED
        )
        plan = RepaymentPlan.objects.create(
            debt=debt,
            first_due=first_due,
            months=months,
            instalment=(owed / months).quantize(CENT, rounding=ROUND_UP),
            amount=owed,
            decision=decision.strip(),
            created_at=clock.now(),
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=debt.household.number,
            reason="Plan de remboursement",
            detail={"dette": debt.pk, "echeances": months, "montant": str(owed)},
        )
    return plan


# ---- prescription -------------------------------------------------------------------------------
def debts_prescribe(*, today: dt.date, acting_user: User | None) -> list[dict]:
    """Close every debt whose recovery is time-barred on `today` (L553-1 CSS: 2 years, 5 for
    fraud, see `selectors.prescription_date`) with a prescription entry for its balance. Returns
    the report's lines."""
    report: list[dict[str, object]] = []
    with transaction.atomic():
        owed = selectors.balances(Debt.objects.all())
        ids = [debt_id for debt_id, amount in owed.items() if amount > 0]
        acts = selectors.last_acts(ids)
        debts = (
            Debt.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("household", "fraud_found")
        )
        for debt in debts.order_by("pk"):
            barred = selectors.prescription_date(debt, acts.get(debt.pk))
            if barred > today:
                continue
            entry = _entry_add(
                debt,
                kind=EntryKind.PRESCRIBED,
                amount=owed[debt.pk],
                on=today,
                acting_user=acting_user,
                reason=f"Prescrite le {barred:%d/%m/%Y} (L553-1 CSS)",
            )
            report.append(
                {
                    "foyer": debt.household.number,
                    "dette": debt.pk,
                    "prestation": debt.benefit,
                    "fraude": debt.is_fraud,
                    "prescrite_le": barred.isoformat(),
                    "montant": str(entry.amount),
                }
            )
        if report:
            audit_record(
                actor=acting_user,
                action=AuditAction.UPDATE,
                households=[str(line["foyer"]) for line in report],
                reason="Prescription des dettes",
                detail={"dettes": len(report)},
            )
    return report


# ---- suspension while an appeal is pending ------------------------------------------------------
def debt_suspend(
    *, debt: Debt, on: dt.date, reason: str, reference: str, acting_user: User | None
) -> Suspension:
    """Suspend the recovery of `debt` (no retention, no contentious step) while the appeal
    `reference` is pending; idempotent for a debt already suspended."""
    with transaction.atomic():
        Debt.objects.select_for_update().filter(pk=debt.pk).first()
        current = Suspension.objects.filter(debt=debt, until__isnull=True).first()
        if current is not None:
            return current
        suspension = Suspension.objects.create(
            debt=debt, since=on, reason=reason, reference=reference
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=debt.household.number,
            reason="Recouvrement suspendu : " + reason,
            detail={"dette": debt.pk, "reference": reference},
        )
    return suspension


def debt_resume(*, debt: Debt, on: dt.date, acting_user: User | None) -> None:
    """End the suspension of `debt`'s recovery (the appeal is decided)."""
    with transaction.atomic():
        if Suspension.objects.filter(debt=debt, until__isnull=True).update(until=on):
            audit_record(
                actor=acting_user,
                action=AuditAction.UPDATE,
                household_number=debt.household.number,
                reason="Reprise du recouvrement",
                detail={"dette": debt.pk},
            )


# ---- the contentious path -----------------------------------------------------------------------
def contentious_step_record(
    *,
    debt: Debt,
    stage: str,
    on: dt.date,
    acting_user: User | None,
    note: str = "",
    costs: Decimal = ZERO,
) -> ContentiousStep:
    """The next step of the contentious path, in the law's order and delays: a formal notice
    (R133-3 CSS) when no plan runs; a contrainte at least 1 month after it; an opposition within
    15 days of the contrainte (routed to the competent court); enforcement by a commissaire de
    justice once the 15 days have passed without opposition."""
    with transaction.atomic():
        Debt.objects.select_for_update().filter(pk=debt.pk).first()
        line = selectors.debt_lines([debt])[0]
        previous = line.stage
        if stage == Stage.OPPOSITION:
            allowed = previous is not None and previous.stage == Stage.CONSTRAINT
            late = previous is not None and on > previous.on + dt.timedelta(
                days=law.OPPOSITION_DAYS
            )
            if allowed and late:
                raise ValidationError(
                    f"Opposition tardive : elle doit être formée dans les {law.OPPOSITION_DAYS} "
                    "jours de la signification de la contrainte (R133-3 CSS)."
                )
        else:
            allowed = selectors.next_stage(line) == stage
        if not allowed:
            raise ValidationError("Cette étape ne suit pas l'état actuel de la procédure.")
        if stage != Stage.OPPOSITION and selectors.suspended([debt.pk]):
            raise ValidationError(
                "Recouvrement suspendu : un recours contre cette dette est en cours."
            )
        if stage == Stage.FORMAL_NOTICE and line.plan is not None:
            raise ValidationError("Un plan de remboursement est en cours : pas de mise en demeure.")
        if (
            stage in (Stage.CONSTRAINT, Stage.BAILIFF)
            and previous is not None
            and previous.next_due is not None
            and on < previous.next_due
        ):
            raise ValidationError(
                "Trop tôt : cette étape n'est possible qu'à partir du "
                f"{previous.next_due:%d/%m/%Y}."
            )
        next_due = {
            Stage.FORMAL_NOTICE: clock.add_months(
                on.replace(day=1), law.NOTICE_TO_CONSTRAINT
            ).replace(day=min(on.day, 28)),
            Stage.CONSTRAINT: on + dt.timedelta(days=law.OPPOSITION_DAYS + 1),
        }.get(Stage(stage))
        step = ContentiousStep.objects.create(
            debt=debt,
            stage=stage,
            on=on,
            next_due=next_due,
            costs=costs,
            note=note,
            recorded_at=clock.now(),
            recorded_by=acting_user,
        )
        if stage == Stage.FORMAL_NOTICE:
            letters.letter_queue(
                household=debt.household, kind=LetterKind.FORMAL_NOTICE, debts=[debt]
            )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=debt.household.number,
            reason=Stage(stage).label,
            detail={"dette": debt.pk, "etape": stage},
        )
    return step
