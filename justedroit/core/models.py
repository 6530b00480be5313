from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models

from justedroit.core import clock
from justedroit.core.db import erasure_in_progress
from justedroit.core.roles import AGENT_ROLES, PARTNER_ROLES, Role


class User(AbstractUser):
    """An agent, an allocataire or a partner; what they may do follows from `role`."""

    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    organisation = models.CharField(
        "organisation", max_length=200, blank=True, help_text="Pour les partenaires."
    )

    class Meta:
        verbose_name = "utilisateur"
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_known")
        ]

    @property
    def is_agent(self) -> bool:
        return self.is_active and self.role in AGENT_ROLES

    @property
    def is_partner(self) -> bool:
        return self.is_active and self.role in PARTNER_ROLES

    @property
    def is_claimant(self) -> bool:
        return self.is_active and self.role == Role.CLAIMANT


class ImmutableQuerySet(models.QuerySet):
    """Refuses every bulk change; deleting is allowed only inside `core.services.erasure_allowed`
    (legal erasure), as the database triggers do (`core.db.immutable_rows`)."""

    def update(self, **kwargs):
        raise PermissionDenied(self.model.immutable_message)

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionDenied(self.model.immutable_message)

    def delete(self):
        _refuse_delete_outside_erasure(self.model)
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def _raw_delete(self, using):
        _refuse_delete_outside_erasure(self.model)
        return super()._raw_delete(using)


def _refuse_delete_outside_erasure(model) -> None:
    if not erasure_in_progress():
        raise PermissionDenied(model.immutable_message)


class Immutable(models.Model):
    """Rows written once (facts, rights, payments, rappels and indus, the audit trail): history
    is corrected by new rows, never edited. The ORM refuses here, the database's triggers refuse
    raw SQL (`core.db.immutable_rows`, one line in the migration of each such table)."""

    immutable_message = "Cet enregistrement est définitif : il ne se modifie pas."

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        updating = kwargs.get("force_update") or kwargs.get("update_fields") is not None
        if updating or not self._state.adding:
            raise PermissionDenied(self.immutable_message)
        # Never an UPDATE, even for a new instance given an existing primary key.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_delete_outside_erasure(type(self))
        return super().delete(*args, **kwargs)


class Assignable(models.Model):
    """A task of a worklist that an agent takes or a manager assigns (`core.worklists`): e-mails,
    documents, call-backs now; controls, fraud files, recovery and CRA cases later."""

    assigned_to = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="attribué à",
    )
    assigned_at = models.DateTimeField("attribué le", null=True, blank=True)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    VIEW = "view", "Consultation"
    SEARCH = "search", "Recherche"
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    LOGIN = "login", "Connexion"
    EXPORT = "export", "Export"
    ERASE = "erase", "Effacement légal"


class AuditEvent(Immutable):
    """Append-only: who did what, when, to which household, and why."""

    immutable_message = "Le journal d'audit ne se modifie pas."

    at = models.DateTimeField("date", db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
        help_text="Vide pour un traitement automatique.",
    )
    actor_role = models.CharField("rôle de l'auteur", max_length=20, blank=True)
    operator = models.CharField(
        "lancé par",
        max_length=160,
        blank=True,
        help_text="Traitement par lot : l'agent désigné (--operator) ou l'utilisateur système.",
    )
    action = models.CharField("action", max_length=10, choices=AuditAction.choices)
    household_number = models.CharField(
        "numéro allocataire", max_length=7, blank=True, db_index=True
    )
    object_type = models.CharField("objet", max_length=60, blank=True)
    object_id = models.CharField("identifiant", max_length=60, blank=True)
    reason = models.CharField("motif", max_length=300, blank=True)
    detail = models.JSONField("détail", default=dict, blank=True)

    class Meta:
        verbose_name = "événement d'audit"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.household_number}"


class IdentityProvider(models.TextChoices):
    CAF_AGENTS = "caf_agents", "Fournisseur d'identité de la Caf (agents)"
    FRANCECONNECT = "franceconnect", "FranceConnect"


class ExternalIdentity(models.Model):
    """A user's identity at an OpenID Connect provider: the issuer's stable `sub`, recorded at the
    first verified login. Later logins through that provider find the account by this pair only."""

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="external_identities", verbose_name="compte"
    )
    provider = models.CharField("fournisseur", max_length=20, choices=IdentityProvider.choices)
    issuer = models.CharField("émetteur", max_length=300)
    subject = models.CharField("identifiant chez le fournisseur (sub)", max_length=255)
    linked_at = models.DateTimeField("relié le")

    class Meta:
        verbose_name = "identité externe"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique"),
            models.UniqueConstraint(
                fields=["provider", "user"], name="external_identity_one_per_provider"
            ),
            models.CheckConstraint(
                condition=models.Q(provider__in=IdentityProvider.values),
                name="external_identity_provider_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject} → {self.user_id}"


class AuditEventHousehold(Immutable):
    """A household whose personal data an audited event showed or touched. One row per household,
    indexed by number first, so the DPO's per-household view finds the searches and lists that
    showed it as quickly as the consultations of its own page. Append-only, like its event."""

    immutable_message = "Le journal d'audit ne se modifie pas."

    event = models.ForeignKey(
        AuditEvent, on_delete=models.PROTECT, related_name="households", verbose_name="événement"
    )
    number = models.CharField("numéro allocataire", max_length=7)

    class Meta:
        verbose_name = "foyer d'un événement d'audit"
        constraints = [
            models.UniqueConstraint(fields=["number", "event"], name="audit_household_once")
        ]

    def __str__(self) -> str:
        return f"{self.number} (événement {self.event_id})"


class ApiToken(models.Model):
    """A partner account's bearer token for `/api/v1/`. Only its SHA-256 is stored: the token is
    shown once, at creation. It stops working when revoked or past its expiry."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    label = models.CharField(
        "usage", max_length=100, blank=True, help_text="Ex. : logiciel de rendez-vous de l'EFS."
    )
    key_hash = models.CharField("empreinte", max_length=64, unique=True)
    prefix = models.CharField("début du jeton", max_length=8)
    created_at = models.DateTimeField("créé le")
    expires_at = models.DateTimeField("expire le")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="apitoken_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | models.Q(revoked_at__gte=models.F("created_at")),
                name="apitoken_revoked_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def state(self) -> str:
        if self.revoked_at is not None:
            return f"révoqué le {self.revoked_at.astimezone(clock.PARIS):%d/%m/%Y}"
        return "expiré" if self.expires_at <= clock.now() else "actif"


class ApiIdempotencyKey(models.Model):
    """The response given to a partner's request sent with an `Idempotency-Key`, kept until its
    expiry so that a retry gets the same answer instead of a second booking. Scoped per token."""

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="+")
    key = models.CharField("clé", max_length=255)
    fingerprint = models.CharField("empreinte de la requête", max_length=64)
    # Empty only inside the first request's own transaction (the row is written first, so that a
    # concurrent retry waits on the unique key, then replays the committed answer).
    status_code = models.PositiveSmallIntegerField("statut HTTP", null=True, blank=True)
    response = models.JSONField("réponse", default=dict)
    created_at = models.DateTimeField("reçue le")
    expires_at = models.DateTimeField("expire le", db_index=True)

    class Meta:
        verbose_name = "clé d'idempotence"
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_once_per_token")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.token_id})"


class ImportStatus(models.TextChoices):
    RUNNING = "running", "En cours (ou interrompu)"
    DONE = "done", "Terminé"
    REFUSED = "refused", "Fichier refusé"
    DUPLICATE = "duplicate", "Déjà importé : rien à faire"


class ImportJournal(models.Model):
    """One run of an import (a file, a directory of e-mails, a mailbox): what came in, what was
    kept, who ran it. A run still `running` with no end was interrupted: running it again
    resumes it, since every format skips the rows it already holds."""

    kind = models.CharField("format", max_length=40, db_index=True)
    source_name = models.CharField("source", max_length=300)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField("taille (octets)", default=0)
    status = models.CharField("statut", max_length=9, choices=ImportStatus.choices)
    operator = models.CharField("lancé par", max_length=160, blank=True)
    acting_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField("début", db_index=True)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    rows_read = models.PositiveIntegerField("lus", default=0)
    rows_created = models.PositiveIntegerField("ajoutés", default=0)
    rows_already_there = models.PositiveIntegerField("déjà présents", default=0)
    rows_refused = models.PositiveIntegerField("refusés", default=0)
    refusal = models.CharField("motif du refus du fichier", max_length=500, blank=True)
    errors = models.JSONField("lignes refusées (1 000 premières)", default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "journal d'import"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportStatus.values), name="import_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status=ImportStatus.RUNNING)
                | models.Q(finished_at__isnull=False),
                name="import_finished_has_end",
            ),
            # Every row read is accounted for: stored, already there, or refused.
            models.CheckConstraint(
                condition=models.Q(
                    rows_read=models.F("rows_created")
                    + models.F("rows_already_there")
                    + models.F("rows_refused")
                ),
                name="import_rows_balanced",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ImportStatus.DUPLICATE)
                | models.Q(duplicate_of__isnull=True),
                name="import_only_duplicate_has_original",
            ),
        ]

    def __str__(self) -> str:
        return f"import {self.kind} {self.started_at:%Y-%m-%d %H:%M} ({self.status})"
