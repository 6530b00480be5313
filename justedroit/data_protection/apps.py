from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "justedroit.data_protection"
    verbose_name = "Protection des données (RGPD)"
