from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    """Reception: sites and permanences, appointments (in person, phone, visio), walk-in queue."""

    name = "justedroit.reception"
    verbose_name = "Accueil et rendez-vous"
