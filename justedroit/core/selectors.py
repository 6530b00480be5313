import contextlib
import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from justedroit.core import clock
from justedroit.core.clock import PARIS
from justedroit.core.models import (
    ApiToken,
    AuditAction,
    AuditEvent,
    AuditEventHousehold,
    ImportJournal,
    User,
)
from justedroit.core.roles import PARTNER_ROLES, Role


class ReasonFilter(models.TextChoices):
    """Whether the agent said why (a consultation's reason): the DPO looks for those who did not."""

    WITH = "avec", "Avec un motif"
    WITHOUT = "sans", "Sans motif"


def audit_events(
    *,
    username: str = "",
    household_number: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    role: str = "",
    reason: str = "",
) -> QuerySet[AuditEvent]:
    """The audit trail, newest first. By household: every event that acted on it or showed it
    (consultations, searches, lists, screens), through the indexed household rows."""
    events = AuditEvent.objects.select_related("actor").prefetch_related("households")
    if username:
        # Refused logins have no actor: the username typed is in their detail.
        events = events.filter(Q(actor__username=username) | Q(detail__username=username))
    if household_number:
        events = events.filter(
            Exists(
                AuditEventHousehold.objects.filter(event=OuterRef("pk"), number=household_number)
            )
        )
    if action:
        events = events.filter(action=action)
    if role:
        events = events.filter(actor_role=role)
    if reason == ReasonFilter.WITHOUT:
        events = events.filter(reason="")
    elif reason == ReasonFilter.WITH:
        events = events.exclude(reason="")
    if date_from:
        events = events.filter(at__gte=_paris_midnight(date_from))
    if date_to:
        events = events.filter(at__lt=_paris_midnight(date_to + dt.timedelta(days=1)))
    return events


def _paris_midnight(day: dt.date) -> dt.datetime:
    """Bounds as instants, so that the index on `at` serves the date filters."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=PARIS)


@dataclass(frozen=True)
class AuditLine:
    """An audit event in French, as the DPO reads it on the page and in the export."""

    at: dt.datetime
    actor: str
    role: str
    operator: str
    action: str
    households: list[str]
    subject: str
    reason: str
    details: str = ""


def audit_lines(events) -> list[AuditLine]:
    return [audit_line(event) for event in events]


def audit_line(event: AuditEvent) -> AuditLine:
    return AuditLine(
        at=event.at,
        actor=_actor_label(event),
        role=_label(Role, event.actor_role),
        operator=event.operator,
        action=_label(AuditAction, event.action),
        households=sorted(h.number for h in event.households.all()),
        subject=_subject(event),
        reason=event.reason,
        details=_details(event.detail if isinstance(event.detail, dict) else {}),
    )


def _details(detail: dict) -> str:
    """The event's detail in French: what a search looked for and found, what an export held.
    A NIR searched is shown by the start of its keyed hash only (two searches for one number
    share it); keys with no French wording here are not shown as raw codes."""
    parts = []
    if "query" in detail:
        parts.append(f"recherche « {detail['query']} »")
    if "query_digest" in detail:
        parts.append(f"NIR recherché (empreinte {str(detail['query_digest'])[:8]}…)")
    if "result_page" in detail:
        parts.append(f"page {detail['result_page']} des résultats")
    if "found" in detail:
        found = detail["found"]
        plural = "s" if found != 1 else ""
        parts.append(f"{found} foyer{plural} trouvé{plural}")
    if "rows" in detail:
        rows = detail["rows"]
        parts.append(f"{rows} ligne{'s' if rows != 1 else ''} exportée{'s' if rows != 1 else ''}")
    if detail.get("filters"):
        # In the form's order: PostgreSQL's jsonb does not keep the order keys were written in.
        order = list(_FILTER_LABELS)
        filters = ", ".join(
            f"{_FILTER_LABELS.get(key, key)} = {_filter_value(key, str(value))}"
            for key, value in sorted(
                detail["filters"].items(),
                key=lambda item: order.index(item[0]) if item[0] in order else len(order),
            )
        )
        parts.append(f"filtres : {filters}")
    if "username" in detail:
        parts.append(f"identifiant saisi « {detail['username']} »")
    return " ; ".join(parts)


def _filter_value(key: str, value: str) -> str:
    choices = {"action": AuditAction, "role": Role, "reason": ReasonFilter}.get(key)
    if choices is not None:
        return _label(choices, value)
    if key.startswith("date_"):
        with contextlib.suppress(ValueError):
            return f"{dt.date.fromisoformat(value):%d/%m/%Y}"
    return value


_FILTER_LABELS = {
    "username": "agent",
    "household_number": "numéro allocataire",
    "action": "action",
    "date_from": "du",
    "date_to": "au",
    "role": "rôle",
    "reason": "motif",
}


def _label(choices, value: str) -> str:
    return choices(value).label if value in choices.values else value


def _subject(event: AuditEvent) -> str:
    """What was shown or changed: the page named by the event, else the object's kind."""
    page = event.detail.get("page") if isinstance(event.detail, dict) else None
    if page:
        return str(page)
    if not event.object_type:
        return ""
    try:
        kind = apps.get_model(event.object_type)._meta.verbose_name
    except (LookupError, ValueError):
        kind = event.object_type
    return f"{kind} {event.object_id}".strip()


def _actor_label(event: AuditEvent) -> str:
    if event.actor:
        return event.actor.username
    if event.action == AuditAction.LOGIN:
        return "personne (non connecté)"
    return "traitement automatique"


def api_tokens(*, include_inactive: bool = True) -> QuerySet[ApiToken]:
    """Tokens, newest first; only the usable ones (not revoked, not expired) if asked."""
    tokens = ApiToken.objects.select_related("user")
    if not include_inactive:
        tokens = tokens.filter(revoked_at__isnull=True, expires_at__gt=clock.now())
    return tokens


def api_token_by_prefix(prefix: str) -> ApiToken | None:
    """The one token starting with `prefix` (None if none or several)."""
    matches = list(ApiToken.objects.select_related("user").filter(prefix=prefix)[:2])
    return matches[0] if len(matches) == 1 else None


def api_token_by_id(token_id: int) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(pk=token_id).first()


def partner_accounts() -> QuerySet[User]:
    """Active partner accounts (who may hold an API token)."""
    return User.objects.filter(is_active=True, role__in=PARTNER_ROLES).order_by("username")


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def import_journals(limit: int = 200) -> QuerySet[ImportJournal]:
    return ImportJournal.objects.select_related("duplicate_of")[:limit]


def active_agents(roles) -> QuerySet[User]:
    """The agents a manager can give a task to, by name."""
    return User.objects.filter(is_active=True, role__in=roles).order_by("last_name", "username")
