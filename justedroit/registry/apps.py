from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "justedroit.registry"
    verbose_name = "Registre des allocataires"
