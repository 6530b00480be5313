from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "justedroit.reporting"
    verbose_name = "Chiffres clés et indicateurs"

    # Discovers every domain's `indicators.py` and `timeline.py` once all apps are loaded.

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("indicators")
        autodiscover_modules("timeline")
