from django.apps import AppConfig


class EntitlementsConfig(AppConfig):
    """Runs, rights and payments per household × benefit × month; recomputation into rappels and
    indus."""

    name = "justedroit.entitlements"
    verbose_name = "Droits et paiements"
