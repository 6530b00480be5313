"""The twin's appeals, each month after the Caf's cycle (recovery included): debtors ask for
remissions and contest at calibrated volumes, the commission sits once a month and decides by
the precarity rule its rapporteur applies (appeals.selectors.proposal), courts judge at calibrated
rates. Everything goes through the real services; the amounts remitted emerge from the twin's
debts. A month is journaled as a `TwinSimulation` « recours » and run once."""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.appeals import selectors, services
from justedroit.appeals.models import (
    AppealCase,
    CaseStatus,
    College,
    Court,
    CourtCase,
    Member,
    Outcome,
    RequestKind,
)
from justedroit.core import clock
from justedroit.recovery import selectors as ledger
from justedroit.recovery.models import Debt
from justedroit.twin.models import TwinBuild, TwinSimulation
from justedroit.twin.simulate.appeals.parameters import PARAMETERS as P

SIMULATOR = "recours"
COMPOSITION = [College.INSURED] * 2 + [College.EMPLOYER] * 2 + [College.OTHER]
TA_SUBJECTS = ("rsa", "ppa", "aide_logement")


def _due(per_year: float, month: dt.date, done: int) -> int:
    """How many events of a yearly volume fall in `month`, so that the months of a year add up to
    the volume (cumulative rounding, no drift)."""
    return max(round(per_year * month.month / 12) - done, 0)


def _members() -> list[Member]:
    members = list(selectors.active_members())
    if not members:
        members = [
            Member.objects.create(name=f"Administrateur {i + 1}", college=college)
            for i, college in enumerate(COMPOSITION)
        ]
    return members[: len(COMPOSITION)]


def appeals_month(month: dt.date) -> TwinSimulation:
    """The month's requests, session and judgments, once."""
    done = TwinSimulation.objects.filter(
        simulator=SIMULATOR, first_month=month, last_month=month
    ).first()
    if done is not None:
        return done
    build = TwinBuild.objects.get()
    scale = float(build.scale)
    rng = random.Random(f"{build.seed}-recours-{month:%Y-%m}")
    started = time.perf_counter()
    with transaction.atomic():
        counts = _requests(month, scale, rng)
        counts |= _session(month, rng)
        counts |= _courts(month, scale, rng)
        return TwinSimulation.objects.create(
            simulator=SIMULATOR,
            first_month=month,
            last_month=month,
            simulated_at=clock.now(),
            counts=counts,
            seconds=Decimal(f"{time.perf_counter() - started:.2f}"),
        )


def _requests(month: dt.date, scale: float, rng: random.Random) -> dict[str, int]:
    today = clock.today()
    year_start = month.replace(month=1)
    received = AppealCase.objects.filter(received_on__gte=year_start, received_on__lt=month)
    remissions = received.filter(kind=RequestKind.REMISSION).count()
    contests = received.exclude(kind=RequestKind.REMISSION).count()
    want_remissions = _due(P.remission_requests_per_year * scale, month, remissions)
    want_contests = _due(P.contestations_per_year * scale, month, contests)
    since = clock.add_months(month, -P.request_window_months)
    recent = list(
        Debt.objects.filter(notified_on__gte=since, notified_on__lte=today)
        .exclude(appeal_cases__isnull=False)
        .order_by("pk")
    )
    owed = ledger.balances([d.pk for d in recent])
    rng.shuffle(recent)
    # A remission needs a balance left; a contestation may be about an indu already recovered.
    open_debts = [d for d in recent if owed.get(d.pk, 0) > 0][:want_remissions]
    chosen = {d.pk for d in open_debts}
    contested = [d for d in recent if d.pk not in chosen][:want_contests]
    channels, weights = zip(*P.channel_weights.items(), strict=True)
    counts = {"demandes_remise": 0, "contestations": 0}
    for debt in open_debts + contested:
        remission = debt.pk in chosen
        if remission:
            kind = RequestKind.REMISSION
        elif rng.random() < P.contest_indu_share:
            kind = RequestKind.CONTEST_INDU
        else:
            kind = RequestKind.CONTEST_RIGHT
        notified = debt.notified_on
        latest = min(today, notified + dt.timedelta(days=55))
        received_on = notified + dt.timedelta(days=rng.randint(0, (latest - notified).days))
        services.case_receive(
            household=debt.household,
            kind=kind,
            channel=rng.choices(channels, weights)[0],
            benefit=debt.benefit,
            debt=debt,
            contested_decision=f"Notification d'indu du {notified:%d/%m/%Y}",
            notified_on=notified,
            received_on=received_on,
            acting_user=None,
        )
        counts["demandes_remise" if remission else "contestations"] += 1
    return counts


def _session(month: dt.date, rng: random.Random) -> dict[str, int]:
    """One session a month: the cases received before this month are instructed (the precarity
    rule proposes) and decided as proposed, by the members present."""
    cases = list(
        AppealCase.objects.filter(status=CaseStatus.RECEIVED, received_on__lt=month)
        .select_related("household", "debt")
        .order_by("pk")
    )
    if not cases:
        return {"decisions": 0}
    members = _members()
    session = services.session_create(held_on=clock.today(), members=members, acting_user=None)
    for case in cases:
        proposal = ""
        if case.kind != RequestKind.REMISSION:
            proposal = Outcome.REVERSE if rng.random() < P.reverse_share else Outcome.CONFIRM
        services.case_instruct(case=case, acting_user=None, proposal=proposal)
    services.agenda_add(session=session, cases=cases, acting_user=None)
    services.attendance_record(session=session, present=members[:4], acting_user=None)
    votes = dict.fromkeys(members[:4], "for")
    decided = 0
    for case in cases:
        instruction = selectors.latest_instruction(case)
        try:
            with transaction.atomic():
                services.case_decide(
                    case=case,
                    session=session,
                    outcome=instruction.proposal,
                    amount=instruction.proposed_amount or None,
                    reasons="Décision conforme à la proposition du rapporteur (jumeau).",
                    votes=votes,
                    acting_user=None,
                )
        except ValidationError:
            # The balance moved since the instruction, or the engine cannot recompute the
            # months: the commission confirms (contestation) or rejects (remission).
            fallback = Outcome.REJECT if case.kind == RequestKind.REMISSION else Outcome.CONFIRM
            services.case_decide(
                case=case,
                session=session,
                outcome=fallback,
                reasons="Décision de la commission (jumeau).",
                votes=votes,
                acting_user=None,
            )
        decided += 1
    services.session_close(session=session, acting_user=None)
    return {"decisions": decided}


def _courts(month: dt.date, scale: float, rng: random.Random) -> dict[str, int]:
    """Each month, first-instance cases filed from decided claims (rejections, confirmations) and
    appeals against judgments, at the yearly volumes of judgments; each is judged
    `months_to_judgment` later, favourably to the Caf at the calibrated share."""
    today = clock.today()
    year_start = month.replace(month=1)
    counts = {"saisines": 0, "appels": 0, "jugements": 0}
    this_year = CourtCase.objects.filter(filed_on__gte=year_start, filed_on__lt=month)
    for court, subjects in (("ta", TA_SUBJECTS), ("tj_social", None)):
        filed = this_year.filter(court=court, appeal_of__isnull=True).count()
        want = _due(P.judgments_per_year[court] * scale, month, filed)
        decided = AppealCase.objects.filter(
            status=CaseStatus.DECIDED, decision__outcome__in=(Outcome.REJECT, Outcome.CONFIRM)
        ).exclude(court_cases__isnull=False)
        decided = (
            decided.filter(benefit__in=subjects)
            if subjects
            else decided.exclude(benefit__in=TA_SUBJECTS)
        )
        pool = list(decided.select_related("household").order_by("pk"))
        for case in rng.sample(pool, min(want, len(pool))):
            services.court_case_file(
                household=case.household,
                nature="contest",
                appeal_case=case,
                filed_on=today,
                acting_user=None,
            )
            counts["saisines"] += 1
    appealed = this_year.filter(appeal_of__isnull=False).count()
    want = _due(P.judgments_per_year["upper"] * scale, month, appealed)
    open_to_appeal = [
        c
        for c in CourtCase.objects.filter(judged_on__isnull=False, appeal__isnull=True)
        .select_related("household")
        .order_by("pk")
        if (selectors.appeal_deadline(c) or today) >= today and c.judged_on <= today
    ]
    for court_case in rng.sample(open_to_appeal, min(want, len(open_to_appeal))):
        services.appeal_file(
            court_case=court_case,
            filed_on=today,
            by_caf=court_case.judgment != "favourable",
            acting_user=None,
        )
        counts["appels"] += 1
    due = CourtCase.objects.filter(
        judgment="", filed_on__lte=clock.add_months(today, -P.months_to_judgment)
    ).order_by("pk")
    for court_case in due:
        key = court_case.court if court_case.court in (Court.TA, Court.TJ_SOCIAL) else "upper"
        favourable = rng.random() < P.favourable_share[key]
        services.judgment_record(
            court_case=court_case,
            judgment="favourable" if favourable else "unfavourable",
            judged_on=today,
            acting_user=None,
        )
        counts["jugements"] += 1
    return counts
