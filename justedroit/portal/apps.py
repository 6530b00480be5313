from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The allocataire and partner portals: web pages composing the domains; no business rule."""

    name = "justedroit.portal"
    verbose_name = "Portails allocataire et partenaire"
