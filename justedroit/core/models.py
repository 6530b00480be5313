from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models

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
    """Refuses every bulk change; deleting is allowed only inside `core.db.erasure_allowed`
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


class AuditAction(models.TextChoices):
    VIEW = "view", "Consultation"
    SEARCH = "search", "Recherche"
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    LOGIN = "login", "Connexion"
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
