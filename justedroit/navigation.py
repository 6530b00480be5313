"""Web layer: navigation links shown to a user: one entry per space their permissions open."""

from django.urls import reverse

from justedroit.core import perms
from justedroit.registry.perms import can_search_households
from justedroit.reporting.perms import can_view_indicators


def links(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    candidates = [
        (perms.can_use_agent_space, "core:agent_home", "Accueil agent"),
        (can_search_households, "registry:household_search", "Foyers"),
        (can_view_indicators, "reporting:indicators", "Indicateurs"),
        (perms.can_view_audit_trail, "core:audit_trail", "Journal d'audit"),
        (perms.can_use_claimant_space, "portal:claimant_home", "Mon dossier"),
        (perms.can_use_partner_space, "portal:partner_home", "Espace partenaire"),
    ]
    return {
        "nav_links": [
            (reverse(name), label) for allowed, name, label in candidates if allowed(user)
        ]
    }
