"""Letters telling an allocataire of the rappels and indus recorded for them. Written in the
cycle's transaction (« en file d'envoi ») and sent by the task queue once it commits
(`cycle/tasks.py`, `core/sending.py`): by e-mail through Django's mail backend, or by post — the
letter is dropped as a text file in the print shop's folder (`JUSTEDROIT_PRINT_DIR`), which the
mail house collects."""

from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage

from justedroit.core import clock, sending
from justedroit.core.money import format_euros
from justedroit.cycle.models import AdjustmentLetter, LetterChannel
from justedroit.entitlements.models import Adjustment, AdjustmentKind
from justedroit.registry.contacts import household_email
from justedroit.registry.models import Benefit, Household

SENDER = "Caf de la Vienne <ne-pas-repondre@caf86.invalid>"


def letter_text(household: Household, adjustments: list[Adjustment]) -> str:
    lines = [
        "Caf de la Vienne",
        f"Allocataire n° {household.number}",
        "",
        "Madame, Monsieur,",
        "",
        "De nouvelles informations sur votre situation nous ont conduits à recalculer vos droits.",
    ]
    for a in sorted(adjustments, key=lambda a: (a.month, a.benefit)):
        what = "rappel en votre faveur" if a.kind == AdjustmentKind.ARREARS else "trop-perçu (indu)"
        lines.append(
            f"- {Benefit(a.benefit).label}, {a.month:%m/%Y} : {what} de {format_euros(a.amount)} "
            f"(dû {format_euros(a.due)}, déjà réglé {format_euros(a.settled_before)})."
        )
    lines += [
        "",
        "Vous pouvez consulter le détail du calcul dans votre espace Mon compte ou à l'accueil.",
        "Si vous contestez cette décision, vous pouvez saisir la commission de recours amiable "
        "dans un délai de deux mois.",
    ]
    return "\n".join(lines)


def letter_queue(*, household: Household, month, adjustments: list[Adjustment]) -> AdjustmentLetter:
    """Write the letter (inside the caller's transaction); queue it after commit."""
    known = household_email(household)
    now = clock.now()
    letter = AdjustmentLetter.objects.create(
        household=household,
        month=month,
        channel=LetterChannel.EMAIL if known else LetterChannel.POST,
        recipient=known.address if known else "",
        text=letter_text(household, adjustments),
        created_at=now,
        queued_at=now,
    )
    sending.send_after_commit(letter)
    return letter


def print_dir() -> Path:
    return Path(settings.JUSTEDROIT_PRINT_DIR)


def deliver(*, channel: str, recipient: str, subject: str, text: str, folder: Path, name: str):
    """Send a letter: by e-mail to `recipient`, or as `name`.txt in the print shop's `folder`
    (a path under `print_dir()`)."""
    if channel == LetterChannel.EMAIL:
        EmailMessage(
            subject=subject,
            body=text,
            from_email=SENDER,
            to=[sending.header_safe(recipient)],
        ).send()
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")


def letter_transmit(letter: AdjustmentLetter) -> dict:
    deliver(
        channel=letter.channel,
        recipient=letter.recipient,
        subject="Recalcul de vos droits — Caf de la Vienne",
        text=letter.text,
        folder=print_dir() / f"{letter.month:%Y-%m}",
        name=letter.household.number,
    )
    return {}


def letter_describe(letter: AdjustmentLetter) -> sending.Description:
    return sending.Description(
        what=f"Lettre de rappel ou d'indu du cycle {letter.month:%m/%Y} "
        f"({letter.get_channel_display()})",
        recipient=letter.recipient or "adresse postale",
        household_number=letter.household.number,
    )
