"""The twin's fraud team and director, each month after the controllers, through the fraud
domain's services only (justedroit/fraud/services.py), on the procedure's deadlines:

- a file opened (`fraud_file_open`) for each control closed on a suspected fraud, its facts those
  the control established, its fraudulent period that of the facts the household hid;
- after `investigation_months`, the referent records the intent checklist from what the control
  found (`intent_record`, the evidence in words) and qualifies (`fraud_qualify`, a named person):
  the truth is a deliberate concealment, so « fraude » when the intent is proven (a chance,
  `intent_proven`), « faute » otherwise; a mandatory complaint (D114-5) is filed by the director
  (`complaint_file`); the notice of the facts and of the scale's penalty goes out (`notice_send`);
- within the month to answer, some households present observations (`observations_record`);
- once that month is over, the director warns (`sanction_decide`, a chance by qualification) or
  seizes the commission (`commission_refer`);
- at its next monthly session the commission gives its opinion on the scale's amount
  (`commission_opinion_record`) and the director decides the penalty the same day
  (`sanction_decide`, within the month);
- within the two months to pay, the penalties paid are recorded (`payment_record`).

The procedure's own clock (opinions deemed given, lapses, unpaid penalties turned into debts) is
the Caf's monthly cycle's (`cycle.services`, step `fraud_deadlines`), not a person's decision.

Each open file moves at most one step a month (the next step waits for its deadline); draws are
stable per file, so a rerun of a month gives the same twin.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from justedroit.controls.models import Control
from justedroit.core import clock
from justedroit.core.models import User
from justedroit.core.roles import Role
from justedroit.fraud import selectors
from justedroit.fraud.models import (
    OPEN_STATUSES,
    FraudFile,
    FraudStatus,
    IntentElement,
    ObservationChannel,
    Qualification,
    SanctionKind,
)
from justedroit.fraud.services import (
    commission_opinion_record,
    commission_refer,
    complaint_file,
    fraud_file_open,
    fraud_qualify,
    intent_record,
    notice_send,
    observations_record,
    payment_record,
    sanction_decide,
)
from justedroit.registry.models import FactKind
from justedroit.twin.simulate.fraud.parameters import PARAMETERS as P
from justedroit.twin.simulate.fraud.suspicion import Finding, chance, concealed
from justedroit.twin.truth.models import TrueKind, TruePeriod

ZERO = Decimal("0.00")
COURT = "parquet du tribunal judiciaire de Poitiers"
OBSERVATIONS = "Je conteste l'intention : je pensais ne pas avoir à déclarer ce changement."
OPINION = "Avis de la commission des pénalités : le montant du barème est proportionné."
# The element of intent each concealment shows, and how the referent words its evidence.
ELEMENT = {
    TrueKind.PARTNER: (
        IntentElement.CONCEALMENT,
        "vie maritale constatée alors que les déclarations trimestrielles signées la taisaient",
    ),
    TrueKind.ABROAD: (
        IntentElement.CONCEALMENT,
        "résidence à l'étranger constatée, adresse en France maintenue auprès de la Caf",
    ),
}
OMISSION = (
    IntentElement.DELIBERATE_OMISSION,
    "ressources perçues et connues de l'allocataire, omises dans ses déclarations",
)


def referent() -> User:
    """The fraud team's referent, a named controller (the domain opens and qualifies with one)."""
    user, _ = User.objects.get_or_create(
        username="jumeau-referent-fraude",
        defaults={
            "role": Role.CONTROLLER,
            "first_name": "Romane",
            "last_name": "Référente fraude du jumeau",
        },
    )
    return user


def director() -> User:
    user, _ = User.objects.get_or_create(
        username="jumeau-directeur",
        defaults={"role": Role.DIRECTOR, "first_name": "Denis", "last_name": "Directeur du jumeau"},
    )
    return user


def fraud_team_month(month: dt.date) -> dict[str, int]:
    """The month's work of the fraud team and of the director; returns what each step did."""
    team, boss = referent(), director()
    counts: dict[str, int] = defaultdict(int)
    for file in FraudFile.objects.filter(status__in=OPEN_STATUSES).order_by("opened_at", "pk"):
        step = _advance(file, month, team, boss)
        if step:
            counts[f"fraude_{step}"] += 1
    for control in selectors.controls_awaiting_file():
        _open(control, month, team)
        counts["fraude_dossiers_ouverts"] += 1
    return dict(counts)


def _facts(control: Control) -> list[tuple[Finding, str]]:
    """The facts the control established, each with its line in the file's facts."""
    lines = []
    for fact in control.facts.order_by("valid_from", "id"):
        until = f"{clock.add_months(fact.valid_until, -1):%m/%Y}" if fact.valid_until else "…"
        value = f"{fact.amount} €" if fact.amount is not None else fact.code
        lines.append(
            (
                Finding(fact.kind, fact.person_id, fact.valid_from, fact.valid_until, fact.code),
                f"{FactKind(fact.kind).label} {fact.valid_from:%m/%Y}–{until} : {value}",
            )
        )
    return lines


def _open(control: Control, month: dt.date, team: User) -> FraudFile:
    """The file of a control closed on a suspected fraud: its facts those the control
    established, its period that of the facts the household hid (all the control's facts if
    none matches), up to the current month."""
    facts = _facts(control)
    hidden = {f for f, _ in concealed(control.household_id, [f for f, _ in facts])} or {
        f for f, _ in facts
    }
    first = min(f.first_month for f in hidden)
    last = max(clock.add_months(f.until, -1) if f.until else month for f in hidden)
    return fraud_file_open(
        household=control.household,
        facts=f"Contrôle n° {control.pk} ({control.get_kind_display().lower()}) :\n"
        + "\n".join(line for _, line in facts),
        first_month=first,
        last_month=min(last, month),
        acting_user=team,
        control=control,
    )


def _concealment(file: FraudFile) -> TruePeriod | None:
    facts = [f for f, _ in _facts(file.control)] if file.control is not None else []
    found = concealed(file.household_id, facts)
    return found[0][1] if found else None


def _advance(file: FraudFile, month: dt.date, team: User, boss: User) -> str:
    """One step of an open file when its deadline allows; the step's name, or "" (waiting)."""
    today = clock.today()
    if file.status == FraudStatus.INVESTIGATION:
        opened = clock.month_start(file.opened_at.astimezone(clock.PARIS).date())
        if clock.add_months(opened, P.investigation_months) > month:
            return ""
        return _qualify(file, team, boss)
    if file.status == FraudStatus.NOTIFIED:
        if file.due is not None and today <= file.due and not file.observations.exists():
            if chance(file.pk, "observations") < P.observations_share:
                observations_record(
                    file=file,
                    text=OBSERVATIONS,
                    channel=ObservationChannel.PORTAL,
                    hearing=False,
                    acting_user=None,
                )
                return "observations"
            return ""
        if chance(file.pk, "avertissement") < P.warning_share[file.qualification]:
            sanction_decide(
                file=file,
                kind=SanctionKind.WARNING,
                amount=ZERO,
                reasons="Avertissement : premier manquement relevé, montant limité.",
                acting_user=boss,
            )
            return "avertissements"
        commission_refer(file=file, acting_user=boss)
        return "commissions_saisies"
    if file.status == FraudStatus.COMMISSION:
        commission_opinion_record(file=file, opinion=OPINION, amount=None, acting_user=team)
        file.refresh_from_db()
        sanction_decide(
            file=file,
            kind=SanctionKind.PENALTY,
            amount=file.proposed_amount,
            reasons="Pénalité du barème de la Caf, après l'avis de la commission.",
            acting_user=boss,
        )
        return "penalites"
    paid = chance(file.pk, "paiement") < P.penalty_paid_share  # the others never pay on time
    if file.status == FraudStatus.PAYMENT and paid:
        payment_record(file=file, acting_user=team)
        return "penalites_reglees"
    return ""


def _qualify(file: FraudFile, team: User, boss: User) -> str:
    """The intent checklist from what the control found, the qualification by the referent, the
    mandatory complaint, then the notice of the facts and of the scale's penalty."""
    change = _concealment(file)
    element, evidence = ELEMENT.get(change.kind, OMISSION) if change is not None else OMISSION
    proven = chance(file.pk, "preuve") < P.intent_proven
    intent_record(
        file=file,
        element=element,
        established=proven,
        evidence=f"{evidence} (rapport du contrôle n° {file.control_id})"
        if proven
        else f"Non démontré : {evidence}, sans preuve que le changement était connu et tu.",
        acting_user=team,
    )
    qualification = Qualification.FRAUD if proven else Qualification.FAULT
    file = fraud_qualify(
        file=file,
        qualification=qualification,
        reasons="Intention de frauder établie par le contrôle."
        if proven
        else "Déclaration inexacte, intention non démontrée.",
        acting_user=team,
    )
    # Fraud or fault, never good faith: the right to make a mistake (L123-1 CRPA) cannot close it.
    if file.complaint_mandatory:
        complaint_file(
            file=file,
            filed_on=clock.today(),
            court=COURT,
            reference=f"jumeau-{file.pk}",
            acting_user=boss,
        )
    notice_send(file=file, amount=None, acting_user=team)
    return "qualifies_fraude" if proven else "qualifies_faute"
