from django.apps import AppConfig


class CycleConfig(AppConfig):
    """The Caf's month: partner files, recomputations, the payment run and the letters, in a
    fixed order, each step journaled and resumable."""

    name = "justedroit.cycle"
    verbose_name = "Cycle mensuel de la Caf"
