from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    """Data exchanged with partners (payroll declarations, France Travail, DGFiP): connectors,
    the journal of the files received, and their import into registry facts."""

    name = "justedroit.exchanges"
    verbose_name = "Échanges de données avec les partenaires"
