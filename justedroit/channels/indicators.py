"""Indicators of the contact channels: the seed's figures (calibration.py) and the others the issue
asks for, each computed from the rows of the year."""

import datetime as dt
from decimal import Decimal

from justedroit.channels import calibration as cal
from justedroit.channels import selectors
from justedroit.channels.models import DocumentChannel
from justedroit.core import clock
from justedroit.core.indicators import (
    by_month,
    combine,
    indicator,
    per_month,
    shared_within_report,
)

COG = "référence : objectif historique de la COG (aucun chiffre publié par la Caf de la Vienne)"


def _end_of(year: int) -> dt.datetime:
    end = dt.datetime(year, 12, 31, 23, 59, 59, tzinfo=clock.PARIS)
    return min(end, clock.now())


@shared_within_report
def _backlog(channel: str, year: int) -> list | None:
    """Waiting times of what is unanswered at the end of `year` (or now); None for a year not
    begun. Shared by the backlog count and its median age."""
    if year > clock.today().year:
        return None
    select = selectors.email_backlog if channel == "email" else selectors.document_backlog
    return select(_end_of(year))


@indicator(
    code="calls_received",
    label="Appels reçus (3230)",
    unit="appels",
    definition="Appels présentés à la plateforme téléphonique dans l'année, décrochés ou non.",
    published=dict(cal.CALLS_RECEIVED.by_year),
    source=cal.CALLS_RECEIVED.source,
)
def calls_received(year: int) -> int | None:
    return selectors.call_totals(year)["offered"] or None


@by_month("calls_received")
def calls_received_by_month(year: int):
    return per_month(selectors.calls_in(year), "offered_at")


@indicator(
    code="call_answer_rate",
    better="higher",
    label="Taux de décroché",
    unit="%",
    definition="Appels décrochés ÷ appels présentés dans l'année.",
    source=COG + " (90 %)",
)
def call_answer_rate(year: int) -> Decimal | None:
    totals = selectors.call_totals(year)
    return selectors.percent(totals["answered"], totals["offered"])


@indicator(
    code="call_service_level",
    better="higher",
    label="Niveau de service téléphonique",
    unit="%",
    definition="Appels décrochés en moins de CHANNELS_CALL_SERVICE_LEVEL_SECONDS secondes "
    "d'attente (180 par défaut) ÷ appels présentés.",
)
def call_service_level(year: int) -> Decimal | None:
    totals = selectors.call_totals(year)
    return selectors.percent(totals["within"], totals["offered"])


@indicator(
    code="call_abandon_rate",
    better="lower",
    label="Taux d'abandon des appels",
    unit="%",
    definition="Appels raccrochés pendant l'attente ÷ appels présentés.",
)
def call_abandon_rate(year: int) -> Decimal | None:
    totals = selectors.call_totals(year)
    return selectors.percent(totals["abandoned"], totals["offered"])


@indicator(
    code="emails_handled",
    label="Courriels traités",
    unit="courriels",
    definition="Courriels reçus dans l'année (formulaire de contact, boîte aux lettres) qui ont "
    "reçu une réponse.",
    published=dict(cal.EMAILS_HANDLED.by_year),
    source=cal.EMAILS_HANDLED.source,
)
def emails_handled(year: int) -> int | None:
    return selectors.email_totals(year)["handled"] or None


@by_month("emails_handled")
def emails_handled_by_month(year: int):
    return per_month(selectors.inbound_in(year).filter(answered_at__isnull=False), "at")


@indicator(
    code="email_within_target",
    better="higher",
    label="Courriels répondus dans le délai cible",
    unit="%",
    definition="Courriels reçus dans l'année et répondus en moins de "
    "CHANNELS_EMAIL_SLA_WORKING_HOURS heures ouvrées (48 par défaut ; jours ouvrés français, "
    "jours fériés exclus) ÷ courriels reçus dans l'année.",
)
def email_within_target(year: int) -> Decimal | None:
    totals = selectors.email_totals(year)
    return selectors.percent(totals["within"], totals["received"])


@indicator(
    code="email_first_response",
    better="lower",
    label="Délai moyen de première réponse aux courriels",
    unit="heures ouvrées",
    definition="Moyenne, sur les courriels reçus dans l'année et répondus, du temps ouvré entre "
    "la réception et la première réponse.",
)
def email_first_response(year: int) -> Decimal | None:
    totals = selectors.email_totals(year)
    if not totals["handled"]:
        return None
    return (Decimal(totals["minutes"]) / 60 / totals["handled"]).quantize(Decimal("0.1"))


@indicator(
    code="email_backlog",
    better="lower",
    label="Courriels en attente de réponse au 31/12",
    unit="courriels",
    definition="Courriels reçus et sans réponse au 31 décembre (ou aujourd'hui pour l'année en "
    "cours).",
)
def email_backlog(year: int) -> int | None:
    ages = _backlog("email", year)
    return None if ages is None else len(ages)


@indicator(
    code="email_backlog_age",
    better="lower",
    label="Âge médian des courriels en attente au 31/12",
    unit="jours ouvrés",
    definition="Médiane du nombre de jours ouvrés d'attente des courriels sans réponse au 31/12.",
)
def email_backlog_age(year: int) -> Decimal | None:
    ages = _backlog("email", year)
    return None if ages is None else selectors.median(ages)


@indicator(
    code="documents_paper_share",
    better="lower",
    label="Part du papier dans les documents reçus",
    unit="%",
    definition="Documents reçus sur papier (numérisés à la Caf) ÷ documents reçus dans l'année.",
    published=dict(cal.PAPER_SHARE.by_year),
    source=cal.PAPER_SHARE.source,
)
def documents_paper_share(year: int) -> Decimal | None:
    totals = selectors.document_totals(year)
    return selectors.percent(totals["paper"], totals["received"])


@by_month("documents_paper_share")
def documents_paper_share_by_month(year: int):
    received = selectors.documents_in(year)
    return combine(
        selectors.percent,
        per_month(received.filter(channel=DocumentChannel.PAPER), "received_at"),
        per_month(received, "received_at"),
    )


@indicator(
    code="documents_auto_rate",
    better="higher",
    label="Documents traités automatiquement",
    unit="%",
    definition="Documents reçus dans l'année orientés vers le traitement automatique (déclaration "
    "structurée intégrée au registre par une règle) ÷ documents reçus dans l'année.",
    published=dict(cal.AUTO_RATE.by_year),
    source=cal.AUTO_RATE.source,
)
def documents_auto_rate(year: int) -> Decimal | None:
    totals = selectors.document_totals(year)
    return selectors.percent(totals["automatic"], totals["received"])


@indicator(
    code="documents_within_15_days",
    better="higher",
    label="Documents traités en 15 jours ou moins",
    unit="%",
    definition="Documents traités dans l'année moins de 15 jours calendaires après leur réception "
    "÷ documents traités dans l'année.",
    source=COG + " (85 %)",
)
def documents_within_15_days(year: int) -> Decimal | None:
    totals = selectors.document_totals(year)
    return selectors.percent(totals["within"], totals["processed"])


@indicator(
    code="documents_backlog",
    better="lower",
    label="Documents en attente de traitement au 31/12",
    unit="documents",
    definition="Documents reçus et non traités au 31 décembre (ou aujourd'hui).",
)
def documents_backlog(year: int) -> int | None:
    ages = _backlog("document", year)
    return None if ages is None else len(ages)


@indicator(
    code="documents_backlog_age",
    better="lower",
    label="Âge médian du stock de documents au 31/12",
    unit="jours",
    definition="Médiane du nombre de jours calendaires d'attente des documents non traités.",
)
def documents_backlog_age(year: int) -> Decimal | None:
    ages = _backlog("document", year)
    return None if ages is None else selectors.median(ages)


@indicator(
    code="online_procedure_rate",
    better="higher",
    label="Recours aux téléprocédures",
    unit="%",
    definition="Demandes de prestations et déclarations faites en ligne ÷ toutes celles de "
    "l'année (en ligne, papier, guichet, partenaire).",
    published=dict(cal.ONLINE_RATE.by_year),
    source=cal.ONLINE_RATE.source,
)
def online_procedure_rate(year: int) -> Decimal | None:
    return selectors.online_rates(year)[-1]["rate"]


@indicator(
    code="repeat_contact_rate",
    better="lower",
    label="Taux de contacts réitérés",
    unit="%",
    definition="Appels et courriels de l'année d'un foyer identifié, avec un motif, précédés "
    "d'un appel ou d'un courriel du même foyer pour le même motif dans les 30 jours ÷ ces "
    "contacts.",
)
def repeat_contact_rate(year: int) -> Decimal | None:
    total, repeated = selectors.repeat_contacts(year)
    return selectors.percent(repeated, total)
