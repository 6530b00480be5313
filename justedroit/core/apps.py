from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "justedroit.core"
    verbose_name = "Socle : rôles, audit, horloge"
