"""Letters about debts: the notification of indus (amount by benefit and month, reason, the right
to seize the CRA within 2 months, how to repay) and the formal notice. HTML, written in the
service's transaction and sent by the task queue once it commits (`recovery/tasks.py`): by e-mail
when the household gave an address, else dropped in the print shop's folder
(`JUSTEDROIT_PRINT_DIR/recouvrement/`)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from justedroit.core import clock, sending
from justedroit.recovery import parameters as law
from justedroit.recovery import selectors
from justedroit.recovery.models import Debt, DebtLetter, LetterKind
from justedroit.registry.contacts import household_email
from justedroit.registry.models import Household

SUBJECTS = {
    LetterKind.NOTIFICATION: "Notification d'un trop-perçu — Caf de la Vienne",
    LetterKind.FORMAL_NOTICE: "Mise en demeure de rembourser — Caf de la Vienne",
}


def letter_html(household: Household, kind: str, debts: list[Debt]) -> str:
    """The letter's HTML (French). Amounts by benefit and month come from the debts' indus."""
    owed = selectors.balances([d.pk for d in debts])
    rows = [
        {
            "debt": debt,
            "indus": sorted(
                (link.adjustment for link in debt.indus.select_related("adjustment")),
                key=lambda a: a.month,
            ),
            "balance": owed.get(debt.pk),
        }
        for debt in debts
    ]
    return render_to_string(
        f"recovery/letters/{kind}.html",
        {
            "household": household,
            "rows": rows,
            "total": sum(row["balance"] for row in rows),
            "today": clock.today(),
            "cra_months": law.CRA_APPEAL_MONTHS,
            "plan_months": law.PLAN_MONTHS_DEFAULT_MAX,
        },
    )


def letter_queue(*, household: Household, kind: str, debts: list[Debt]) -> DebtLetter:
    """Write the letter inside the caller's transaction; queue it once that commits."""
    known = household_email(household)
    now = clock.now()
    letter = DebtLetter.objects.create(
        household=household,
        kind=kind,
        channel="email" if known else "post",
        recipient=known.address if known else "",
        html=letter_html(household, kind, debts),
        created_at=now,
        queued_at=now,
    )
    letter.debts.set(debts)
    sending.send_after_commit(letter)
    return letter


def letter_transmit(letter: DebtLetter) -> dict:
    if letter.channel == "email":
        message = EmailMultiAlternatives(
            subject=SUBJECTS[letter.kind],
            body=strip_tags(letter.html),
            to=[sending.header_safe(letter.recipient)],
        )
        message.attach_alternative(letter.html, "text/html")
        message.send()
        return {}
    folder = Path(settings.JUSTEDROIT_PRINT_DIR) / "recouvrement" / f"{letter.created_at:%Y-%m-%d}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{letter.household.number}-{letter.pk}.html").write_text(letter.html, "utf-8")
    return {}


def letter_describe(letter: DebtLetter) -> sending.Description:
    return sending.Description(
        what=f"{letter.get_kind_display()} du {letter.created_at:%d/%m/%Y}",
        recipient=letter.recipient or "adresse postale",
        household_number=letter.household.number,
    )
