from django.apps import AppConfig
from django.db.backends.signals import connection_created

from justedroit.core.db import register_sqlite_functions


class CoreConfig(AppConfig):
    name = "justedroit.core"
    verbose_name = "Socle : rôles, audit, horloge"

    def ready(self):
        connection_created.connect(register_sqlite_functions)
