from django.apps import AppConfig


class TwinConfig(AppConfig):
    name = "justedroit.twin"
    verbose_name = "Jumeau synthétique de la Caf de la Vienne"
