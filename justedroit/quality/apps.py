from django.apps import AppConfig


class QualityConfig(AppConfig):
    """Quality of case processing (maîtrise des risques): the agents' teams, verification
    sampling plans and their draws, reviews with the error typology, and the estimates of the
    share of files in error and of the amount-weighted error rate with their intervals."""

    name = "justedroit.quality"
    verbose_name = "Qualité de la liquidation"
