from django.apps import AppConfig


class ControlsConfig(AppConfig):
    """The control of allocataires: automated controls on partner data, controls on documents
    and on site, one control file each, its history and its outcome."""

    name = "justedroit.controls"
    verbose_name = "Contrôle des allocataires"
