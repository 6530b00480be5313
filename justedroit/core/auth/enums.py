"""What the audit trail says of a login."""

from django.db import models


class LoginEvent(models.TextChoices):
    LOGIN = "login", "Connexion"
    LOGOUT = "logout", "Déconnexion"
    FAILURE = "failure", "Échec de connexion"
    IDENTITY_LINK = "identity_link", "Identité externe reliée"
    PASSWORD_CHANGE = "password_change", "Mot de passe modifié"
    PASSWORD_RESET_REQUEST = "password_reset_request", "Réinitialisation demandée"
    PASSWORD_RESET = "password_reset", "Mot de passe réinitialisé"


class LoginMethod(models.TextChoices):
    PASSWORD = "password", "Mot de passe"
    PASSWORD_TOTP = "password_totp", "Mot de passe et code TOTP"
    CAF_AGENTS = "oidc_caf_agents", "Fournisseur d'identité de la Caf"
    FRANCECONNECT = "oidc_franceconnect", "FranceConnect"
