from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "justedroit.reporting"
    verbose_name = "Chiffres clés et indicateurs"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("indicators")
