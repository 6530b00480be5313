from django.apps import AppConfig


class OutreachConfig(AppConfig):
    """Access to rights: relay partners and the allocataires' mandates to them."""

    name = "justedroit.outreach"
    verbose_name = "Accès aux droits"
