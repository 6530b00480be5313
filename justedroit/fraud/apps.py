from django.apps import AppConfig


class FraudConfig(AppConfig):
    """Fraud: the fraud file opened from a control or a report, its qualification by a named
    person, the right to make a mistake, sanctions (warning, administrative penalty) and their
    procedure, the complaint to the prosecutor, and the prevention letters."""

    name = "justedroit.fraud"
    verbose_name = "Lutte contre la fraude"
