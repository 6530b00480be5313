from django.apps import AppConfig


class AppealsConfig(AppConfig):
    """Appeals: the commission de recours amiable (intake, admissibility, instruction, sessions,
    decisions and their effects on the debt ledger or the rights) and the court cases that
    follow (routing by subject, hearings, judgments, appeals)."""

    name = "justedroit.appeals"
    verbose_name = "Recours amiables et contentieux"
