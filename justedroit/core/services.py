"""Writes of the core domain: partners' API tokens and the idempotency of their requests.

A token is 32 random bytes shown once; only its SHA-256 is stored (the token has full entropy, so
a fast hash is enough and a database leak gives no usable token). It expires, can be revoked, and
records when it was last used.
"""

import contextlib
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterator
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from justedroit.core import clock, db
from justedroit.core.audit import audit_record
from justedroit.core.models import ApiIdempotencyKey, ApiToken, Assignable, AuditAction, User

TOKEN_DEFAULT_DAYS = 365
TOKEN_MAX_DAYS = 366
# A token's last use is written at most once a minute: one write per request would make every
# read of the API a write.
LAST_USED_PRECISION = dt.timedelta(minutes=1)
IDEMPOTENCY_KEY_LIFETIME = dt.timedelta(hours=24)


class IssuedToken(NamedTuple):
    token: ApiToken
    secret: str


class IdempotencyKeyReused(ValidationError):
    """The key was already used by this token for a different request."""


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_create(
    *,
    user: User,
    acting_user: User | None,
    label: str = "",
    valid_days: int = TOKEN_DEFAULT_DAYS,
) -> IssuedToken:
    """A new API token for a partner account; the secret is returned once and never stored."""
    if not user.is_partner:
        raise ValidationError("Les jetons d'API sont réservés aux comptes partenaires actifs.")
    if not 1 <= valid_days <= TOKEN_MAX_DAYS:
        raise ValidationError(f"Durée de validité : de 1 à {TOKEN_MAX_DAYS} jours.")
    label = label.strip()
    if len(label) > 100 or not label.isprintable():
        raise ValidationError("Usage du jeton : 100 caractères imprimables au plus.")
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            label=label,
            key_hash=token_hash(secret),
            prefix=secret[:8],
            created_at=now,
            expires_at=now + dt.timedelta(days=valid_days),
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            obj=token,
            reason="Jeton d'API créé",
            detail={"user": user.username, "prefix": token.prefix, "days": valid_days},
        )
    return IssuedToken(token, secret)


def api_token_revoke(*, token: ApiToken, acting_user: User | None) -> ApiToken:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise ValidationError(f"Le jeton {locked.prefix}… est déjà révoqué.")
        locked.revoked_at = clock.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=locked,
            reason="Jeton d'API révoqué",
            detail={"user": locked.user.username, "prefix": locked.prefix},
        )
    return locked


def api_token_use(*, secret: str) -> ApiToken | None:
    """The active token behind `secret` (not revoked, not expired, its partner account active),
    with its last use recorded; None otherwise."""
    now = clock.now()
    token = (
        ApiToken.objects.filter(
            key_hash=token_hash(secret), revoked_at__isnull=True, expires_at__gt=now
        )
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_partner:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def idempotent_response(
    *,
    token: ApiToken,
    key: str,
    fingerprint: str,
    respond: Callable[[], tuple[int, dict]],
) -> tuple[int, dict]:
    """`respond()` run at most once per token and key: a retry of the same request replays the
    stored answer; the same key for a different request (another `fingerprint`) is refused.

    The key row is written first, in the same transaction as what `respond` writes: a concurrent
    retry waits on the unique key, then replays the committed answer. Only successes are kept; a
    refused request (an exception, or a 3xx/4xx answer) leaves no key, so it can be retried.
    """
    now = clock.now()
    with transaction.atomic():
        ApiIdempotencyKey.objects.filter(token=token, key=key, expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                row = ApiIdempotencyKey.objects.create(
                    token=token,
                    key=key,
                    fingerprint=fingerprint,
                    created_at=now,
                    expires_at=now + IDEMPOTENCY_KEY_LIFETIME,
                )
        except IntegrityError:
            stored = ApiIdempotencyKey.objects.get(token=token, key=key)
            if stored.fingerprint != fingerprint:
                raise IdempotencyKeyReused(
                    "Cette clé d'idempotence a déjà servi pour une autre requête : "
                    "utilisez une nouvelle clé pour une nouvelle réservation."
                ) from None
            assert stored.status_code is not None  # only answered keys are committed
            return stored.status_code, stored.response
        status_code, body = respond()
        if status_code >= 300:
            transaction.set_rollback(True)
            return status_code, body
        row.status_code, row.response = status_code, body
        row.save(update_fields=["status_code", "response"])
    return status_code, body


def idempotency_keys_purge() -> int:
    """Delete the keys past their expiry (the API also drops a token's expired key on reuse)."""
    deleted, _ = ApiIdempotencyKey.objects.filter(expires_at__lte=clock.now()).delete()
    return deleted


@contextlib.contextmanager
def erasure_allowed(reason: str, *, acting_user: User | None = None) -> Iterator[None]:
    """The one path that may DELETE rows of immutable tables — never UPDATE them: legal erasure
    (retention periods of personal data). Audited, in one transaction with the deletions; the
    permission ends with the block, and with it if the block fails."""
    if not reason.strip():
        raise ValueError("Un effacement légal doit être motivé.")
    with transaction.atomic():
        audit_record(actor=acting_user, action=AuditAction.ERASE, reason=reason)
        with db.erasing():
            yield


def task_assign(
    *,
    task: Assignable,
    agent: User | None,
    acting_user: User,
    eligible: Callable[[User], bool],
    may_reassign: bool,
    household_number: str = "",
) -> Assignable:
    """Give a worklist's task to an agent whose work it is (`eligible`), or release it (`agent`
    None). Who may not reassign (`may_reassign`: a manager may) only takes a free task or
    releases their own. Locked, so that two agents taking one task an instant apart cannot both
    get it; audited with the household it concerns."""
    if agent is not None and not (agent.is_active and agent.is_agent and eligible(agent)):
        raise ValidationError(f"{agent.username} ne traite pas cette file de travail.")
    if not may_reassign and agent not in (None, acting_user):
        raise ValidationError("Seul un manager attribue une tâche à un autre agent.")
    with transaction.atomic():
        locked = type(task)._default_manager.select_for_update().get(pk=task.pk)
        holder = locked.assigned_to
        if not may_reassign and holder is not None and holder != acting_user:
            raise ValidationError(f"Cette tâche est déjà attribuée à {holder.username}.")
        locked.assigned_to = agent
        locked.assigned_at = clock.now() if agent is not None else None
        locked.save(update_fields=["assigned_to", "assigned_at"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=household_number,
            obj=locked,
            reason=(
                f"Tâche attribuée à {agent.username}" if agent is not None else "Tâche libérée"
            ),
        )
    return locked
