"""Applying the retention table (`retention.RULES`) and recording data-subject exports.

A rule's expired rows are erased with everything that depends on them (a PROTECT foreign key is
followed down: the children go first), inside a legal erasure (`core.services.erasure_allowed`),
which is the one path by which the immutable tables lose rows; the erasure's audit rows — its
reason, then the counts per table and the household numbers erased — commit with the deletions.
Stored files (documents, attachments, quarantined messages) leave the disk only once that commit is
done.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django_tasks_db.models import DBTaskResult

from justedroit.channels import storage
from justedroit.channels.models import (
    Call,
    CallbackRequest,
    CallbackStatus,
    Document,
    EmailMessage,
    EmailThread,
    Procedure,
    QuarantinedEmail,
    QuarantineStatus,
    ThreadStatus,
)
from justedroit.controls.models import Control, TargetingDecision, TargetingScore
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.calendar import months_later
from justedroit.core.models import (
    ApiIdempotencyKey,
    ApiToken,
    AuditAction,
    AuditEvent,
    ExternalIdentity,
    ImportJournal,
    User,
)
from justedroit.core.roles import Role
from justedroit.core.services import erasure_allowed
from justedroit.data_protection.retention import RULES, Rule
from justedroit.entitlements.models import Adjustment, AdjustmentKind, Entitlement, Payment
from justedroit.fraud.models import FINAL_COMPLAINT_STATUSES, Complaint, FraudFile
from justedroit.outreach.models import Campaign, Mandate
from justedroit.reception.models import Appointment, Ticket
from justedroit.registry.models import (
    Claim,
    ClaimStatus,
    ContactPoint,
    Fact,
    Household,
    HouseholdAccount,
    Membership,
    Person,
)

CHUNK = 500
# However old its last activity, a household is kept this long after its last indu: recovery
# after a fraud or a false declaration is prescribed by five years (C. civ. art. 2224).
FRAUD_PRESCRIPTION_MONTHS = 60
# Models whose rows name a file on disk: the field, and where the file lives.
STORED_FILES: dict[type[models.Model], tuple[str, Callable[[str], Path]]] = {
    Document: ("stored_name", storage.path_of),
    apps.get_model("channels", "EmailAttachment"): ("stored_name", storage.path_of),
    QuarantinedEmail: ("stored_name", storage.quarantine_path),
}


def months_before(instant: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` earlier (the last day of a shorter month)."""
    return months_later(instant, -months)


@dataclass
class Erased:
    """What a rule erased (or, in a dry run, would erase) before `cutoff`."""

    rule: Rule
    cutoff: dt.datetime
    counts: Counter = field(default_factory=Counter)
    households: list[str] = field(default_factory=list)

    def lines(self) -> list[tuple[str, int]]:
        """(French name of the table, rows), in the order they were erased."""
        return [(_name(label), count) for label, count in self.counts.items() if count]


def _name(label: str) -> str:
    if label == "core.User":
        return "compte « Mon dossier » anonymisé (core.User)"
    return f"{apps.get_model(label)._meta.verbose_name} ({label})"


# ---- which rows each rule reaches ------------------------------------------------------------


def _is_date_only(model, field_name: str) -> bool:
    return not isinstance(model._meta.get_field(field_name), models.DateTimeField)


# Dated rows that make a household's file active: none of them may be newer than the cutoff.
HOUSEHOLD_ACTIVITY: tuple[tuple[type[models.Model], str, str], ...] = (
    (Membership, "household", "start_date"),
    (Membership, "household", "end_date"),
    (Claim, "household", "recorded_at"),
    (Claim, "household", "end_month"),
    (Fact, "household", "recorded_at"),
    (ContactPoint, "household", "recorded_at"),
    (Entitlement, "household", "month"),
    (Payment, "household", "paid_at"),
    (Adjustment, "household", "computed_at"),
    (Mandate, "household", "expires_at"),
    (Procedure, "household", "submitted_at"),
    (Document, "household", "received_at"),
    (Appointment, "household", "ends_at"),
    (Ticket, "household", "arrived_at"),
    (Call, "household", "offered_at"),
    (CallbackRequest, "household", "requested_at"),
    (EmailMessage, "thread__household", "at"),
)


def _activity_since(model, household_path: str, field_name: str, cutoff) -> Exists:
    value = cutoff.date() if _is_date_only(model, field_name) else cutoff
    return Exists(
        model._default_manager.filter(
            **{household_path: OuterRef("pk"), f"{field_name}__gte": value}
        )
    )


def expired_households(cutoff: dt.datetime, now: dt.datetime) -> QuerySet[Household]:
    """Households whose file is past its retention: nothing in it newer than the cutoff, no
    claim still open, no indu in the last five years, no piece, e-mail or call-back still
    waiting for an agent."""
    indu_cutoff = months_before(now, FRAUD_PRESCRIPTION_MONTHS)
    households = Household.objects.filter(created_at__lt=cutoff).exclude(
        Exists(
            Claim.objects.filter(
                household=OuterRef("pk"),
                end_month__isnull=True,
                status__in=[ClaimStatus.PENDING, ClaimStatus.GRANTED],
            )
        )
    )
    households = households.exclude(
        Exists(
            Adjustment.objects.filter(
                household=OuterRef("pk"),
                kind=AdjustmentKind.OVERPAYMENT,
                computed_at__gte=indu_cutoff,
            )
        )
    )
    waiting = (
        Exists(Document.objects.filter(household=OuterRef("pk"), processed_at__isnull=True)),
        Exists(
            EmailThread.objects.filter(
                household=OuterRef("pk"),
                status__in=[ThreadStatus.WAITING, ThreadStatus.SENDING, ThreadStatus.SEND_FAILED],
            )
        ),
        Exists(
            CallbackRequest.objects.filter(household=OuterRef("pk"), status=CallbackStatus.OPEN)
        ),
    )
    for condition in waiting:
        households = households.exclude(condition)
    for model, path, field_name in HOUSEHOLD_ACTIVITY:
        households = households.exclude(_activity_since(model, path, field_name, cutoff))
    return households


CLOSED_THREADS = [ThreadStatus.ANSWERED, ThreadStatus.REJECTED]


def _expired(rule_key: str, cutoff: dt.datetime) -> list[QuerySet]:
    """The querysets of rows a per-row rule reaches (the household file has its own)."""
    match rule_key:
        case "documents":
            return [Document.objects.filter(processed_at__lt=cutoff)]
        case "appointments":
            return [Appointment.objects.filter(ends_at__lt=cutoff)]
        case "tickets":
            return [Ticket.objects.filter(arrived_at__lt=cutoff)]
        case "callbacks":
            return [CallbackRequest.objects.filter(status=CallbackStatus.DONE, done_at__lt=cutoff)]
        case "calls":
            kept_callback = CallbackRequest.objects.filter(call=OuterRef("pk"))
            return [Call.objects.filter(offered_at__lt=cutoff).exclude(Exists(kept_callback))]
        case "email_threads":
            recent = EmailMessage.objects.filter(thread=OuterRef("pk"), at__gte=cutoff)
            return [
                EmailThread.objects.filter(opened_at__lt=cutoff, status__in=CLOSED_THREADS).exclude(
                    Exists(recent)
                )
            ]
        case "quarantine":
            return [
                QuarantinedEmail.objects.exclude(status=QuarantineStatus.PENDING).filter(
                    handled_at__lt=cutoff
                )
            ]
        case "controls":
            return [Control.objects.filter(closed_at__lt=cutoff)]
        case "targeting":
            return [
                TargetingScore.objects.filter(computed_at__lt=cutoff),
                TargetingDecision.objects.filter(control__isnull=True, decided_at__lt=cutoff),
            ]
        case "fraud":
            pending = Complaint.objects.filter(file=OuterRef("pk")).exclude(
                status__in=FINAL_COMPLAINT_STATUSES
            )
            return [FraudFile.objects.filter(closed_at__lt=cutoff).exclude(Exists(pending))]
        case "procedures":
            return [Procedure.objects.filter(submitted_at__lt=cutoff)]
        case "mandates":
            return [Mandate.objects.filter(expires_at__lt=cutoff)]
        case "campaigns":
            return [Campaign.objects.filter(planned_at__lt=cutoff)]
        case "audit_trail":
            return [AuditEvent.objects.filter(at__lt=cutoff)]
        case "login_attempts":
            return [
                apps.get_model(label).objects.filter(attempt_time__lt=cutoff)
                for label in ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog")
            ]
        case "sessions":
            return [Session.objects.filter(expire_date__lt=cutoff)]
        case "api_tokens":
            return [ApiToken.objects.filter(expires_at__lt=cutoff)]
        case "idempotency_keys":
            return [ApiIdempotencyKey.objects.filter(expires_at__lt=cutoff)]
        case "task_results":
            return [DBTaskResult.objects.filter(finished_at__lt=cutoff)]
        case "import_journals":
            newer_duplicate = ImportJournal.objects.filter(
                duplicate_of=OuterRef("pk"), started_at__gte=cutoff
            )
            return [
                ImportJournal.objects.filter(started_at__lt=cutoff).exclude(Exists(newer_duplicate))
            ]
    raise ValueError(f"Règle de conservation sans purge : {rule_key}")


# ---- erasing ---------------------------------------------------------------------------------


def purge(*, rules: Iterable[Rule] = RULES, acting_user: User | None = None) -> list[Erased]:
    """Erase, rule after rule, what is past its retention; one transaction per rule. The caller
    makes it a dry run by rolling back around it (`core.batch.rolled_back_unless`)."""
    now = clock.now()
    results = []
    for rule in rules:
        erased = Erased(rule=rule, cutoff=months_before(now, rule.months))
        reason = f"Durée de conservation « {rule.label} » : avant le {erased.cutoff:%d/%m/%Y}"
        with erasure_allowed(reason, acting_user=acting_user):
            if rule.key == "household_file":
                _erase_households(expired_households(erased.cutoff, now), erased)
            else:
                for queryset in _expired(rule.key, erased.cutoff):
                    _erase_in_chunks(queryset, erased.counts)
            audit_record(
                actor=acting_user,
                action=AuditAction.ERASE,
                households=erased.households,
                reason=reason,
                detail={
                    "rule": rule.key,
                    "cutoff": erased.cutoff.isoformat(),
                    "rows": dict(erased.counts),
                },
            )
        results.append(erased)
    return results


def _erase_in_chunks(queryset: QuerySet, counts: Counter) -> None:
    model = queryset.model
    while pks := list(queryset.values_list("pk", flat=True)[:CHUNK]):
        erase_rows(model._default_manager.filter(pk__in=pks), counts)


def erase_rows(queryset: QuerySet, counts: Counter) -> None:
    """Delete these rows and, first, every row that protects them (a PROTECT foreign key to
    them), down to the leaves. Must run inside `erasure_allowed` when it reaches an immutable
    table; files are removed after the commit."""
    model = queryset.model
    for relation in _protecting(model):
        children = relation.related_model._default_manager.filter(
            **{f"{relation.field.name}__in": queryset.values("pk")}
        )
        if children.exists():
            erase_rows(children, counts)
    if model in STORED_FILES:
        name_field, path_of = STORED_FILES[model]
        paths = [path_of(n) for n in queryset.values_list(name_field, flat=True) if n]
        transaction.on_commit(lambda: _remove_files(paths))
    _total, per_model = queryset.delete()
    counts.update({label: n for label, n in per_model.items() if n})


def _remove_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _erase_households(households: QuerySet[Household], erased: Erased) -> None:
    """A whole file: the household and everything below it, then the persons left in no
    household, and the allocataire's portal account anonymised (the audit trail still names
    it as the author of past actions, so it cannot go)."""
    while chunk := list(households.values_list("pk", "number")[:CHUNK]):
        ids = [pk for pk, _ in chunk]
        erased.households += [number for _, number in chunk]
        person_ids = set(
            Membership.objects.filter(household__in=ids).values_list("person", flat=True)
        )
        account_ids = set(
            HouseholdAccount.objects.filter(household__in=ids).values_list("user", flat=True)
        )
        erase_rows(Household.objects.filter(pk__in=ids), erased.counts)
        erase_rows(_unreferenced(Person.objects.filter(pk__in=person_ids)), erased.counts)
        _anonymise_accounts(account_ids, erased.counts)


def _unreferenced(queryset: QuerySet) -> QuerySet:
    """The rows no other row points to (a person still in another household, or named by one
    of its facts, stays)."""
    for relation in _protecting(queryset.model):
        queryset = queryset.exclude(
            Exists(
                relation.related_model._default_manager.filter(
                    **{relation.field.name: OuterRef("pk")}
                )
            )
        )
    return queryset


def _protecting(model) -> list:
    """The foreign keys that protect `model`'s rows, those declared without a reverse name
    (`related_name="+"`) included. Cascades are Django's own; nothing here sets null."""
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if (field.one_to_many or field.one_to_one)
        and field.auto_created
        and not field.concrete
        and field.on_delete is models.PROTECT
    ]


def _anonymise_accounts(user_ids: set[int], counts: Counter) -> None:
    if not user_ids:
        return
    accounts = User.objects.filter(pk__in=user_ids, role=Role.CLAIMANT)
    erase_rows(ExternalIdentity.objects.filter(user__in=accounts), counts)
    for user in accounts:
        user.username = f"efface-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        counts["core.User"] += 1


# ---- data-subject exports --------------------------------------------------------------------


def subject_export_record(*, data, format: str, acting_user: User) -> None:
    """Who exported whom, when, in which format, with the households the export covers."""
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action=AuditAction.EXPORT,
            households=data.household_numbers,
            obj=data.person,
            reason="Demande d'exercice des droits (accès, portabilité)",
            detail={"page": "Export des données d'une personne", "format": format},
        )
