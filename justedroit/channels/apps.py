from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    """Other contact channels: calls, emails, documents, online procedures."""

    name = "justedroit.channels"
    verbose_name = "Téléphone, courriels, documents, téléprocédures"
