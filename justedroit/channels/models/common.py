"""Vocabulary shared by the channels."""

from django.db import models


class ContactReason(models.TextChoices):
    PAYMENT = "payment", "Paiement, montant des droits"
    SITUATION = "situation", "Changement de situation"
    CLAIM = "claim", "Demande de prestation"
    DOCUMENT = "document", "Pièce justificative"
    DEBT = "debt", "Indu, dette"
    ACCOUNT = "account", "Espace Mon compte"
    OTHER = "other", "Autre"


class Team(models.TextChoices):
    FRONT_OFFICE = "front_office", "Accueil"
    BENEFITS = "benefits", "Prestations"
    RECOVERY = "recovery", "Recouvrement"


def team_for(reason: str) -> str:
    """Which team answers a contact about `reason`."""
    if reason == ContactReason.DEBT:
        return Team.RECOVERY
    if reason in (ContactReason.ACCOUNT, ContactReason.OTHER, ""):
        return Team.FRONT_OFFICE
    return Team.BENEFITS
