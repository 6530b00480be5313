from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    """Recovery of debts (indus): the debt ledger, notification, retentions on benefits, direct
    repayment and plans, the contentious path and prescription. User documentation:
    docs/recouvrement.md."""

    name = "justedroit.recovery"
    verbose_name = "Recouvrement des indus"
