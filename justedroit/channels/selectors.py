"""Reads for the contact channels: statistics by year, queues, a household's contacts."""

import datetime as dt
import statistics
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractWeekDay

from justedroit.channels import storage
from justedroit.channels.models import (
    Call,
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    CallQueue,
    Direction,
    Document,
    DocumentChannel,
    EmailAttachment,
    EmailMessage,
    EmailThread,
    ProcedureChannel,
    QuarantinedEmail,
    QuarantineStatus,
    Routing,
    ThreadStatus,
)
from justedroit.channels.models.procedures import Procedure, ProcedureKind
from justedroit.core import clock
from justedroit.core.calendar import working_days_between
from justedroit.core.db import by_pk
from justedroit.core.french import WEEKDAYS_FROM_SUNDAY
from justedroit.core.imports import printable
from justedroit.core.indicators import shared_within_report

REPEAT_WINDOW_DAYS = 30
DOCUMENT_DEADLINE_DAYS = 15  # historical COG target: 85 % of documents processed within 15 days


def email_target_minutes() -> int:
    return int(getattr(settings, "CHANNELS_EMAIL_SLA_WORKING_HOURS", 48)) * 60


def call_service_level_seconds() -> int:
    return int(getattr(settings, "CHANNELS_CALL_SERVICE_LEVEL_SECONDS", 180))


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime(year, 1, 1, tzinfo=clock.PARIS),
        dt.datetime(year + 1, 1, 1, tzinfo=clock.PARIS),
    )


def percent(part: int, whole: int, places: str = "0.1") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(places))


# ---- telephony ---------------------------------------------------------------------------------
def calls_in(year: int) -> QuerySet[Call]:
    start, end = year_bounds(year)
    return Call.objects.filter(offered_at__gte=start, offered_at__lt=end)


def call_totals(year: int) -> dict:
    threshold = call_service_level_seconds()
    totals = calls_in(year).aggregate(
        offered=Count("id"),
        answered=Count("id", filter=Q(outcome=CallOutcome.ANSWERED)),
        within=Count("id", filter=Q(outcome=CallOutcome.ANSWERED, wait_seconds__lte=threshold)),
        wait=Sum("wait_seconds", filter=Q(outcome=CallOutcome.ANSWERED)),
    )
    totals["abandoned"] = totals["offered"] - totals["answered"]
    totals["threshold"] = threshold
    return totals


def call_breakdown(year: int, by: str) -> list[dict]:
    """Offered / answered / rate by 'hour', 'weekday' (1 = Sunday … 7 = Saturday) or 'queue'."""
    key = {"hour": ExtractHour("offered_at"), "weekday": ExtractWeekDay("offered_at")}.get(by)
    rows = calls_in(year)
    rows = rows.annotate(bucket=key) if key is not None else rows.annotate(bucket=F("queue"))
    result = []
    for row in (
        rows.values("bucket")
        .annotate(offered=Count("id"), answered=Count("id", filter=Q(outcome=CallOutcome.ANSWERED)))
        .order_by("bucket")
    ):
        result.append(
            {
                **row,
                "label": _bucket_label(by, row["bucket"]),
                "rate": percent(row["answered"], row["offered"]),
            }
        )
    return result


def _bucket_label(by: str, bucket) -> str:
    """A breakdown's row in French: '9 h', 'mardi', the queue's name."""
    if by == "hour":
        return f"{bucket} h"
    if by == "weekday":
        return WEEKDAYS_FROM_SUNDAY[bucket - 1]
    return dict(CallQueue.choices).get(bucket, bucket)


def open_callbacks() -> QuerySet[CallbackRequest]:
    return CallbackRequest.objects.filter(status=CallbackStatus.OPEN).select_related(
        "household", "assigned_to"
    )


def callback_queue() -> QuerySet[CallbackRequest]:
    """Open call-back requests, oldest first: the agents' worklist."""
    return open_callbacks().order_by("requested_at")


def callback_by_pk(pk) -> CallbackRequest | None:
    return by_pk(CallbackRequest.objects, pk)


# ---- emails ------------------------------------------------------------------------------------
def inbound_in(year: int) -> QuerySet[EmailMessage]:
    start, end = year_bounds(year)
    return EmailMessage.objects.filter(direction=Direction.INBOUND, at__gte=start, at__lt=end)


def email_totals(year: int) -> dict:
    target = email_target_minutes()
    return inbound_in(year).aggregate(
        received=Count("id"),
        handled=Count("id", filter=Q(answered_at__isnull=False)),
        within=Count("id", filter=Q(response_minutes__lte=target)),
        minutes=Sum("response_minutes"),
    )


def email_backlog(at: dt.datetime) -> list[int]:
    """Working days each inbound message still waiting at `at` has waited."""
    rows = EmailMessage.objects.filter(direction=Direction.INBOUND, at__lte=at).filter(
        Q(answered_at__isnull=True) | Q(answered_at__gt=at)
    )
    day = at.astimezone(clock.PARIS).date()
    return [
        working_days_between(received.astimezone(clock.PARIS).date(), day)
        for received in rows.values_list("at", flat=True)
    ]


def waiting_threads() -> QuerySet[EmailThread]:
    return (
        EmailThread.objects.filter(status=ThreadStatus.WAITING)
        .select_related("household", "assigned_to")
        .order_by("opened_at")
    )


# ---- documents ---------------------------------------------------------------------------------
def documents_in(year: int) -> QuerySet[Document]:
    start, end = year_bounds(year)
    return Document.objects.filter(received_at__gte=start, received_at__lt=end)


@shared_within_report
def document_totals(year: int) -> dict:
    start, end = year_bounds(year)
    received = documents_in(year).aggregate(
        received=Count("id"),
        paper=Count("id", filter=Q(channel=DocumentChannel.PAPER)),
        automatic=Count("id", filter=Q(routing=Routing.AUTOMATIC)),
    )
    processed = Document.objects.filter(processed_at__gte=start, processed_at__lt=end).aggregate(
        processed=Count("id"),
        within=Count(
            "id",
            filter=Q(
                processed_at__lte=F("received_at") + dt.timedelta(days=DOCUMENT_DEADLINE_DAYS)
            ),
        ),
    )
    return received | processed


def document_backlog(at: dt.datetime) -> list[int]:
    """Calendar days each document still unprocessed at `at` has waited."""
    rows = Document.objects.filter(received_at__lte=at).filter(
        Q(processed_at__isnull=True) | Q(processed_at__gt=at)
    )
    return [(at - received).days for received in rows.values_list("received_at", flat=True)]


def manual_queue() -> QuerySet[Document]:
    return (
        Document.objects.filter(routing=Routing.MANUAL, processed_at__isnull=True)
        .select_related("household", "assigned_to")
        .order_by("received_at")
    )


def document_by_pk(pk) -> Document | None:
    return by_pk(Document.objects.select_related("household"), pk)


def household_documents(household, limit: int = 50) -> QuerySet[Document]:
    return Document.objects.filter(household=household).order_by("-received_at")[:limit]


def median(values: list[int]) -> Decimal | None:
    return Decimal(str(statistics.median(values))).quantize(Decimal("0.1")) if values else None


# ---- online procedures -------------------------------------------------------------------------
def procedures_in(year: int) -> QuerySet[Procedure]:
    start, end = year_bounds(year)
    return Procedure.objects.filter(submitted_at__gte=start, submitted_at__lt=end)


def online_rates(year: int) -> list[dict]:
    """Online rate per procedure kind, then overall (kind "")."""
    rows: list[dict] = [
        {
            **row,
            "label": ProcedureKind(row["kind"]).label,
            "rate": percent(row["online"], row["total"]),
        }
        for row in procedures_in(year)
        .values("kind")
        .annotate(total=Count("id"), online=Count("id", filter=Q(channel=ProcedureChannel.ONLINE)))
        .order_by("kind")
    ]
    total, online = sum(r["total"] for r in rows), sum(r["online"] for r in rows)
    rows.append(
        {
            "kind": "",
            "label": "Ensemble",
            "total": total,
            "online": online,
            "rate": percent(online, total),
        }
    )
    return rows


# ---- repeat contacts ---------------------------------------------------------------------------
def repeat_contacts(year: int) -> tuple[int, int]:
    """(contacts of the year by an identified household with a reason, those that repeat a
    contact of the same household for the same reason within the 30 days before), across calls
    and inbound emails, with a window function."""
    start, end = year_bounds(year)
    window_start = start - dt.timedelta(days=REPEAT_WINDOW_DAYS)
    calls, messages, threads = (
        Call._meta.db_table,
        EmailMessage._meta.db_table,
        EmailThread._meta.db_table,
    )
    if connection.vendor == "postgresql":
        gap = f"c.at - c.previous <= interval '{REPEAT_WINDOW_DAYS} days'"
    else:
        gap = f"julianday(c.at) - julianday(c.previous) <= {REPEAT_WINDOW_DAYS}"
    sql = f"""
        WITH contact AS (
            SELECT household_id, reason, offered_at AS at FROM {calls}
            WHERE household_id IS NOT NULL AND reason <> ''
              AND offered_at >= %s AND offered_at < %s
            UNION ALL
            SELECT t.household_id, t.reason, m.at FROM {messages} m
            JOIN {threads} t ON t.id = m.thread_id
            WHERE m.direction = 'in' AND t.household_id IS NOT NULL
              AND m.at >= %s AND m.at < %s
        ), ordered AS (
            SELECT at, LAG(at) OVER (PARTITION BY household_id, reason ORDER BY at) AS previous
            FROM contact
        )
        SELECT COUNT(*),
               COALESCE(SUM(CASE WHEN c.previous IS NOT NULL AND {gap} THEN 1 ELSE 0 END), 0)
        FROM ordered c WHERE c.at >= %s
    """
    adapt = connection.ops.adapt_datetimefield_value
    params = [adapt(window_start), adapt(end)] * 2 + [adapt(start)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        total, repeated = cursor.fetchone()
    return int(total), int(repeated)


# ---- a household's contacts --------------------------------------------------------------------
def household_contacts(household_id: int, limit: int = 200) -> dict[str, list]:
    return {
        "calls": list(
            Call.objects.filter(household_id=household_id).order_by("-offered_at")[:limit]
        ),
        "callbacks": list(
            CallbackRequest.objects.filter(household_id=household_id).order_by("-requested_at")[
                :limit
            ]
        ),
        "messages": list(
            EmailMessage.objects.filter(thread__household_id=household_id)
            .select_related("thread")
            .order_by("-at")[:limit]
        ),
        "documents": list(
            Document.objects.filter(household_id=household_id).order_by("-received_at")[:limit]
        ),
        "procedures": list(
            Procedure.objects.filter(household_id=household_id).order_by("-submitted_at")[:limit]
        ),
    }


# ---- e-mail triage and quarantine --------------------------------------------------------------
def triage_threads() -> QuerySet[EmailThread]:
    """Threads from senders no household is known by, waiting for an agent's decision."""
    return (
        EmailThread.objects.filter(household__isnull=True)
        .exclude(status=ThreadStatus.REJECTED)
        .annotate(received=Count("messages"))
        .order_by("opened_at")
    )


def thread_by_pk(pk) -> EmailThread | None:
    return by_pk(EmailThread.objects.select_related("household"), pk)


def quarantined_by_pk(pk) -> QuarantinedEmail | None:
    return by_pk(QuarantinedEmail.objects, pk)


def thread_messages(thread: EmailThread) -> QuerySet[EmailMessage]:
    return thread.messages.prefetch_related("attachments").order_by("at")


def household_messages(household, limit: int = 50) -> QuerySet[EmailMessage]:
    """The allocataire's exchanges, for the portal, newest first."""
    return (
        EmailMessage.objects.filter(thread__household=household)
        .select_related("thread")
        .order_by("-at")[:limit]
    )


def quarantined(status: str = QuarantineStatus.PENDING) -> QuerySet[QuarantinedEmail]:
    return QuarantinedEmail.objects.filter(status=status).order_by("received_at")


def quarantine_preview(item: QuarantinedEmail, limit: int = 20_000) -> str:
    """The beginning of the raw message as text an agent can read safely: every control
    character (terminal escapes included) shown as an escape sequence."""
    try:
        with open(storage.quarantine_path(item.stored_name), "rb") as handle:
            head = handle.read(limit)
    except OSError:
        return "(message brut introuvable)"
    text = head.decode("utf-8", "replace")
    return "\n".join(printable(line, 2_000) for line in text.splitlines())


def attachment(pk: int) -> EmailAttachment | None:
    return (
        EmailAttachment.objects.select_related("message__thread__household").filter(pk=pk).first()
    )
