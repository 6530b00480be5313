"""Welcome e-mailings: each new allocataire gets, once, an e-mail promoting the online account
(template `outreach/welcome_email.txt`), sent through the e-mail backend by the task queue.

A new allocataire is a household created in the last `WELCOME_WITHIN_DAYS` days, with a known
e-mail address (its portal account's, or a contact point it gave), not opted out of the Caf's
unsolicited contacts, and not welcomed yet."""

import datetime as dt

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string

from justedroit.core import clock, sending
from justedroit.core.sending import DeliveryStatus, PermanentFailure
from justedroit.outreach.models import OptOut, WelcomeEmail
from justedroit.outreach.services.campaigns import OPTED_OUT
from justedroit.registry.models import ContactKind, ContactPoint, Household, HouseholdAccount

WELCOME_WITHIN_DAYS = 30
SENDER = "Caf de la Vienne <ne-pas-repondre@caf86.invalid>"
PORTAL_URL = "https://justedroit.caf86.invalid/mon-dossier/"
SUBJECT = "Bienvenue à la Caf de la Vienne : votre espace en ligne"


def newcomers(now: dt.datetime) -> QuerySet[Household]:
    """Households to welcome now (see the module docstring), e-mail address known or not."""
    return Household.objects.filter(
        created_at__gte=now - dt.timedelta(days=WELCOME_WITHIN_DAYS),
        created_at__lte=now,
        welcome_email__isnull=True,
        outreach_opt_out__isnull=True,
    )


def _addresses(ids: list[int]) -> dict[int, str]:
    """Each household's e-mail: its portal account's first, else the latest contact point."""
    found: dict[int, str] = {}
    for household_id, email in HouseholdAccount.objects.filter(household_id__in=ids).values_list(
        "household_id", "user__email"
    ):
        if email:
            found.setdefault(household_id, email)
    for household_id, value in (
        ContactPoint.objects.filter(household_id__in=ids, kind=ContactKind.EMAIL)
        .order_by("household_id", "-recorded_at")
        .values_list("household_id", "value")
    ):
        found.setdefault(household_id, value)
    return found


def welcome_emails_queue() -> int:
    """Queue the welcome e-mail of every newcomer with a known address; returns how many."""
    now = clock.now()
    with transaction.atomic():
        ids = list(newcomers(now).values_list("pk", flat=True))
        addresses = _addresses(ids)
        for household_id, address in sorted(addresses.items()):
            email = WelcomeEmail.objects.create(
                household_id=household_id,
                recipient=address,
                created_at=now,
                status=DeliveryStatus.QUEUED,
                queued_at=now,
            )
            sending.send_after_commit(email)
    return len(addresses)


def welcome_transmit(email: WelcomeEmail) -> dict:
    if OptOut.objects.filter(household_id=email.household_id).exists():
        raise PermanentFailure(OPTED_OUT)
    body = render_to_string(
        "outreach/welcome_email.txt",
        {
            "number": email.household.number,
            "portal_url": PORTAL_URL,
        },
    )
    EmailMessage(
        subject=SUBJECT,
        body=body,
        from_email=SENDER,
        to=[sending.header_safe(email.recipient)],
    ).send()
    return {}


def welcome_describe(email: WelcomeEmail) -> sending.Description:
    return sending.Description(
        what="Courriel de bienvenue",
        recipient=email.recipient,
        household_number=email.household.number,
    )
